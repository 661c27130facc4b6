# libsocialdefault through ctypes and its C API (socialdefault.h): one engine
# per trytond process, opened on first use. Every failure is logged and
# reported as None, so the ordering screen always works without it (fail
# open, docs/tryton.md).
import atexit
import ctypes
import json
import logging
import threading

from trytond.config import config

logger = logging.getLogger(__name__)

SECTION = 'socialdefault'
SD_OK = 0


class _Lib:
    "The C functions this module calls, with their signatures."

    def __init__(self, path):
        lib = ctypes.CDLL(path)
        error_p = ctypes.c_void_p
        error_pp = ctypes.POINTER(error_p)
        size_p = ctypes.POINTER(ctypes.c_size_t)
        buffer_p = ctypes.POINTER(ctypes.c_char)
        buffer_pp = ctypes.POINTER(buffer_p)

        lib.sd_version.restype = ctypes.c_char_p
        lib.sd_version.argtypes = []
        lib.sd_error_message.restype = ctypes.c_char_p
        lib.sd_error_message.argtypes = [error_p]
        lib.sd_error_free.restype = None
        lib.sd_error_free.argtypes = [error_p]
        lib.sd_buffer_free.restype = None
        lib.sd_buffer_free.argtypes = [buffer_p]
        lib.sd_engine_open.restype = ctypes.c_int
        lib.sd_engine_open.argtypes = [
            ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
            ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p), error_pp]
        lib.sd_engine_close.restype = None
        lib.sd_engine_close.argtypes = [ctypes.c_void_p]
        lib.sd_offer.restype = ctypes.c_int
        lib.sd_offer.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
            ctypes.c_char_p, ctypes.c_int64, buffer_pp, size_p, error_pp]
        lib.sd_record_choices.restype = ctypes.c_int
        lib.sd_record_choices.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
            ctypes.c_char_p, ctypes.c_int64, size_p, buffer_pp, size_p,
            error_pp]
        self.lib = lib
        self.buffer_p = buffer_p


class SocialDefaultError(Exception):
    pass


class Engine:
    "An open sd_engine; safe to share between threads (the C API says so)."

    ADAPTER = b'tryton'

    def __init__(self, library, config_path, ledger_path):
        self._native = _Lib(library)
        self._lib = self._native.lib
        handle = ctypes.c_void_p()
        error = ctypes.c_void_p()
        # No mapping: Tryton hands over its records, not SOAP messages.
        status = self._lib.sd_engine_open(
            config_path.encode(), b'', ledger_path.encode(), None,
            ctypes.byref(handle), ctypes.byref(error))
        if status != SD_OK:
            raise SocialDefaultError(self._take_error(error))
        self._handle = handle
        self._lock = threading.Lock()

    @property
    def version(self):
        return self._lib.sd_version().decode()

    def _take_error(self, error):
        if not error.value:
            return 'unknown error'
        message = self._lib.sd_error_message(error).decode(errors='replace')
        self._lib.sd_error_free(error)
        return message

    def _take_buffer(self, buffer, size):
        try:
            return ctypes.string_at(buffer, size.value).decode()
        finally:
            self._lib.sd_buffer_free(buffer)

    def offer(self, shortlist, at=0):
        "The decision (dict) for a shortlist (dict, see socialdefault.h)."
        data = json.dumps(shortlist).encode()
        out = self._native.buffer_p()
        size = ctypes.c_size_t()
        error = ctypes.c_void_p()
        status = self._lib.sd_offer(
            self._handle, data, len(data), self.ADAPTER, at,
            ctypes.byref(out), ctypes.byref(size), ctypes.byref(error))
        if status != SD_OK:
            raise SocialDefaultError(self._take_error(error))
        return json.loads(self._take_buffer(out, size))

    def record(self, lines, at=0):
        "Appends order lines (list of dicts); returns one record per line."
        data = json.dumps(lines).encode()
        out = self._native.buffer_p()
        size = ctypes.c_size_t()
        recorded = ctypes.c_size_t()
        error = ctypes.c_void_p()
        status = self._lib.sd_record_choices(
            self._handle, data, len(data), self.ADAPTER, at,
            ctypes.byref(recorded), ctypes.byref(out), ctypes.byref(size),
            ctypes.byref(error))
        if status != SD_OK:
            raise SocialDefaultError(self._take_error(error))
        return json.loads(self._take_buffer(out, size))

    def close(self):
        # Closing writes the offers still queued, so they are in the ledger
        # when trytond stops.
        with self._lock:
            if self._handle:
                self._lib.sd_engine_close(self._handle)
                self._handle = None


_engine = None
_engine_failed = False
_engine_lock = threading.Lock()


def engine():
    """The process's engine, or None when it is not configured or cannot be
    opened (logged once)."""
    global _engine, _engine_failed
    if _engine is not None or _engine_failed:
        return _engine
    with _engine_lock:
        if _engine is not None or _engine_failed:
            return _engine
        library = config.get(SECTION, 'library', default='libsocialdefault.so.0')
        config_path = config.get(SECTION, 'config')
        ledger_path = config.get(SECTION, 'ledger')
        if not config_path or not ledger_path:
            logger.warning(
                "socialdefault: [%s] config and ledger are not set in "
                "trytond.conf; suppliers are left as they are", SECTION)
            _engine_failed = True
            return None
        try:
            _engine = Engine(library, config_path, ledger_path)
        except (OSError, AttributeError, SocialDefaultError) as e:
            logger.error(
                "socialdefault: cannot open the engine (library %s, "
                "config %s, ledger %s): %s; suppliers are left as they are",
                library, config_path, ledger_path, e)
            _engine_failed = True
            return None
        atexit.register(_engine.close)
        logger.info("socialdefault %s: config %s, ledger %s",
            _engine.version, config_path, ledger_path)
        return _engine


def offer(shortlist):
    "The decision, or None when socialdefault cannot say (logged)."
    e = engine()
    if e is None:
        return None
    try:
        return e.offer(shortlist)
    except SocialDefaultError as error:
        logger.error("socialdefault: offer %s: %s",
            shortlist.get('correlation_id'), error)
        return None


def record(lines):
    "The ledger's records for the lines, or None (logged)."
    e = engine()
    if e is None or not lines:
        return None
    try:
        return e.record(lines)
    except SocialDefaultError as error:
        logger.error("socialdefault: recording %d order lines: %s",
            len(lines), error)
        return None
