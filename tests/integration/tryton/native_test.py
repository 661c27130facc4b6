"""The module's ctypes layer (adapters/tryton/socialdefault/native.py) on
the real library, without a Tryton database: a decision and its record, the
errors it passes on, and failing open when the engine cannot be opened.

usage: SD_LIBRARY=.../libsocialdefault.so SD_SOURCE_DIR=... \\
       /usr/bin/python3 -m unittest native_test   (PYTHONPATH: adapters/tryton)
"""
import importlib
import os
import tempfile
import unittest

LIBRARY = os.environ.get('SD_LIBRARY', '')
SOURCE = os.environ.get('SD_SOURCE_DIR', '')
CONFIG = os.path.join(SOURCE, 'examples', 'config.xml')
FLOWERS = {'code_system': 'CPV', 'code': '03121200-7'}


def native_module():
    # Loaded the way trytond loads it, as trytond.modules.socialdefault.
    from trytond.modules import import_module
    import_module('socialdefault')
    return importlib.import_module('trytond.modules.socialdefault.native')


@unittest.skipUnless(os.path.isfile(LIBRARY) and os.path.isfile(CONFIG),
    'SD_LIBRARY and SD_SOURCE_DIR must name the library and the repository')
class NativeTest(unittest.TestCase):

    def setUp(self):
        self.native = native_module()
        self.dir = tempfile.TemporaryDirectory()
        self.ledger = os.path.join(self.dir.name, 'ledger.db')

    def tearDown(self):
        self.dir.cleanup()

    def test_offer_and_record(self):
        engine = self.native.Engine(LIBRARY, CONFIG, self.ledger)
        try:
            decision = engine.offer({'correlation_id': 'c-1',
                    'category': FLOWERS,
                    'candidates': [{'supplier_id': 'FLR-100'}]})
            self.assertEqual(decision['reason'], 'applied')
            default = decision['default_supplier']
            self.assertTrue(default.startswith('BLOEM-'), default)
            # FLR-100 stays in the list beside the injected default.
            self.assertIn('FLR-100',
                [p['supplier_id'] for p in decision['order']])
            records = engine.record([{'correlation_id': 'c-1',
                        'category': FLOWERS, 'supplier_id': default,
                        'amount': '25.00', 'currency': 'EUR'}])
            self.assertEqual([r['outcome'] for r in records],
                ['kept-default'])
        finally:
            engine.close()

    def test_errors_name_the_field(self):
        engine = self.native.Engine(LIBRARY, CONFIG, self.ledger)
        try:
            with self.assertRaises(self.native.SocialDefaultError) as caught:
                engine.offer({'category': {'code_system': 'CPV'}})
            self.assertEqual(str(caught.exception),
                'shortlist.category.code: required, a string')
        finally:
            engine.close()

    def test_missing_configuration_is_an_error(self):
        missing = os.path.join(self.dir.name, 'absent.xml')
        with self.assertRaises(self.native.SocialDefaultError) as caught:
            self.native.Engine(LIBRARY, missing, self.ledger)
        self.assertIn('absent.xml', str(caught.exception))

    def test_fails_open_without_configuration(self):
        from trytond.config import config
        native = self.native
        native._engine, native._engine_failed = None, False
        if config.has_section('socialdefault'):
            config.remove_section('socialdefault')
        with self.assertLogs(native.logger, 'WARNING') as logs:
            self.assertIsNone(native.offer({'category': FLOWERS}))
        self.assertIn('config and ledger are not set', logs.output[0])
        self.assertIsNone(native.record([{'category': FLOWERS,
                        'supplier_id': 'BLOEM-01'}]))

    def test_fails_open_without_library(self):
        from trytond.config import config
        native = self.native
        native._engine, native._engine_failed = None, False
        if not config.has_section('socialdefault'):
            config.add_section('socialdefault')
        config.set('socialdefault', 'library',
            os.path.join(self.dir.name, 'libabsent.so'))
        config.set('socialdefault', 'config', CONFIG)
        config.set('socialdefault', 'ledger', self.ledger)
        try:
            with self.assertLogs(native.logger, 'ERROR') as logs:
                self.assertIsNone(native.offer({'category': FLOWERS}))
            self.assertIn('cannot open the engine', logs.output[0])
            self.assertIn('libabsent.so', logs.output[0])
        finally:
            config.remove_section('socialdefault')
            native._engine, native._engine_failed = None, False


if __name__ == '__main__':
    unittest.main()
