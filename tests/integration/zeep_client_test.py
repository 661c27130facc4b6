#!/usr/bin/python3
"""A real SOAP client (python3-zeep from Debian) against the example ERP contract.

Reads the example WSDL, calls GetSupplierShortlist and SubmitRequisition at the
address given (the gateway in front of the example ERP, or the example ERP test
fixture itself) through every SOAP binding the WSDL has (1.1 and 1.2), and
checks the answers. Prints one line per check and a final line
"N passed, N failed". Exit codes: 0 all passed, 1 a check failed or bad
arguments, 77 python3-zeep is missing (skipped; the reason is printed).

Runs under /usr/bin/python3, where Debian's python3-zeep is installed:
  zeep_client_test.py --wsdl examples/erp/purchasing.wsdl \
      --address http://127.0.0.1:PORT/erp/purchasing
"""

import argparse
import decimal
import sys

SKIP = 77

# What the example ERP test fixture (tests/fixtures/example_erp) lists per
# category, in its order; one social supplier of each category is left out
# so that the gateway's injection shows.
FIXTURE_SHORTLISTS = {
    ("CPV", "03121200-7"): ["FLR-100", "BLOEM-02", "FLR-200", "BLOEM-01", "FLR-300"],
    ("CPV", "18530000-3"): ["GIFT-R1", "GIFT-S1", "GIFT-R2", "GIFT-S2"],
    ("CPV", "55520000-1"): ["CAT-R2", "CAT-S1", "CAT-R1", "CAT-S2"],
    ("CPV", "55120000-7"): ["VEN-R1", "VEN-S1", "VEN-S2", "VEN-R2"],
    ("ERP", "XMAS"): ["XMAS-R1", "XMAS-S1", "XMAS-R2", "XMAS-S2"],
}


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok     {name}")
        else:
            self.failed += 1
            print(f"FAILED {name}" + (f": {detail}" if detail else ""))
        return ok


def plain(value):
    """The text of a simpleContent value (zeep puts it in _value_1)."""
    return getattr(value, "_value_1", value)


def is_true(value):
    return value is True or str(value).strip().lower() in ("true", "1")


def build(element, text, **attributes):
    """A value for a request element: the text alone for a simple type, or
    text plus attributes for a simpleContent type (Category listID, ...)."""
    if hasattr(element.type, "attributes") and element.type.attributes:
        return element.type(text, **attributes)
    return text


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wsdl", required=True, help="the example WSDL (examples/erp/purchasing.wsdl)")
    parser.add_argument("--address", required=True, help="service URL, e.g. http://127.0.0.1:8080/erp/purchasing")
    parser.add_argument("--list-id", default="CPV", help="code system of the category (default CPV)")
    parser.add_argument("--category", default="03121200-7", help="category code (default flowers, 03121200-7)")
    parser.add_argument("--department", default="Burgerzaken")
    parser.add_argument("--requester", default="j.jansen")
    parser.add_argument("--expect-suppliers",
                        help="comma-separated ids that must all be listed (default: what the example ERP "
                             "fixture lists for the category)")
    parser.add_argument("--expect-preselected-in",
                        help="comma-separated ids one of which must be the preselected supplier "
                             "(e.g. the category's social suppliers behind the gateway)")
    parser.add_argument("--soap", choices=["1.1", "1.2", "all"], default="all",
                        help="which of the WSDL's SOAP bindings to use (default all it has)")
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds per call (default 15)")
    return parser.parse_args(argv)


def split_ids(text):
    return [part.strip() for part in text.split(",") if part.strip()] if text else []


def run_binding(client, binding_name, version, args, checks):
    from zeep.exceptions import Fault

    service = client.create_service(binding_name, args.address)
    label = f"SOAP {version}"
    ns = binding_name.split("}")[0] + "}"
    request_type = client.get_element(ns + "GetSupplierShortlist").type
    elements = dict(request_type.elements)
    # The contract's pattern is REQ-yyyy-nnnnnn; one number per SOAP version.
    requisition = f"REQ-2026-9{version.replace('.', ''):0>5}"
    try:
        shortlist = service.GetSupplierShortlist(
            RequisitionId=requisition,
            Category=build(elements["Category"], args.category, listID=args.list_id),
            Requester=build(elements["Requester"], args.requester, department=args.department))
    except Exception as error:  # a Fault, a transport error, a response not matching the WSDL
        checks.check(f"{label}: GetSupplierShortlist answers", False, f"{type(error).__name__}: {error}")
        return
    checks.check(f"{label}: GetSupplierShortlist answers", True)
    checks.check(f"{label}: the shortlist echoes the requisition", shortlist.RequisitionId == requisition,
                 f"got {shortlist.RequisitionId!r}")
    checks.check(f"{label}: the shortlist names the category",
                 plain(shortlist.Category) == args.category and
                 getattr(shortlist.Category, "listID", args.list_id) == args.list_id,
                 f"got {shortlist.Category!r}")

    suppliers = list(shortlist.Suppliers.Supplier) if shortlist.Suppliers is not None else []
    ids = [s.SupplierId for s in suppliers]
    expected = split_ids(args.expect_suppliers) or FIXTURE_SHORTLISTS.get((args.list_id, args.category), [])
    missing = [i for i in expected if i not in ids]
    checks.check(f"{label}: every supplier is there ({len(expected)} expected, {len(ids)} listed)",
                 bool(ids) and not missing, f"missing {missing}, listed {ids}")
    extra = [i for i in ids if i not in expected]
    if extra:
        print(f"       (listed beyond those expected, e.g. injected: {', '.join(extra)})")
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    checks.check(f"{label}: no supplier is listed twice", not duplicates, f"twice: {duplicates}")
    # A supplier injected in front of the ERP may lack what only the ERP
    # knows (its price); the ERP's own suppliers must come through whole.
    incomplete = [s.SupplierId for s in suppliers if not s.Name or
                  (s.SupplierId in expected and (not s.KvK or plain(s.UnitPrice) is None or
                                                 not getattr(s.UnitPrice, "currency", None)))]
    checks.check(f"{label}: every supplier has a name; the ERP's also KvK, price and currency", not incomplete,
                 f"incomplete: {incomplete}")
    preselected = [s for s in suppliers if is_true(s.Preselected)]
    if not checks.check(f"{label}: exactly one supplier is preselected", len(preselected) == 1,
                        f"preselected: {[s.SupplierId for s in preselected]}"):
        return
    chosen = preselected[0]
    allowed = split_ids(args.expect_preselected_in)
    if allowed:
        checks.check(f"{label}: the preselected supplier is one of {','.join(allowed)}",
                     chosen.SupplierId in allowed, f"preselected {chosen.SupplierId}")
    print(f"       preselected: {chosen.SupplierId} ({chosen.Name}), "
          f"{plain(chosen.UnitPrice)} {chosen.UnitPrice.currency}")

    submit_elements = dict(client.get_element(ns + "SubmitRequisition").type.elements)
    price = decimal.Decimal(str(plain(chosen.UnitPrice)))
    order = dict(
        RequisitionId=requisition,
        Category=build(submit_elements["Category"], args.category, listID=args.list_id),
        Requester=build(submit_elements["Requester"], args.requester, department=args.department),
        SupplierId=chosen.SupplierId,
        Amount=build(submit_elements["Amount"], price, currency=chosen.UnitPrice.currency),
        Description=f"Bestelling via zeep ({label})")
    try:
        answer = service.SubmitRequisition(**order)
    except Exception as error:
        checks.check(f"{label}: SubmitRequisition for {chosen.SupplierId} answers", False,
                     f"{type(error).__name__}: {error}")
        return
    checks.check(f"{label}: SubmitRequisition for {chosen.SupplierId} answers", True)
    checks.check(f"{label}: the requisition is Accepted", answer.Status == "Accepted", f"status {answer.Status!r}")
    checks.check(f"{label}: the answer echoes the requisition", answer.RequisitionId == requisition,
                 f"got {answer.RequisitionId!r}")
    checks.check(f"{label}: the answer carries an order number", bool(answer.OrderNumber),
                 f"got {answer.OrderNumber!r}")
    print(f"       order number: {answer.OrderNumber}")

    # The ERP refuses an order without a known category; the client must see
    # that refusal as a SOAP Fault, whatever stands in between.
    order["Category"] = build(submit_elements["Category"], "00000000-0", listID="CPV")
    try:
        service.SubmitRequisition(**order)
        checks.check(f"{label}: an order for an unknown category is a SOAP Fault", False, "it was accepted")
    except Fault as fault:
        checks.check(f"{label}: an order for an unknown category is a SOAP Fault",
                     "unknown category" in (fault.message or ""), f"fault says {fault.message!r}")
        code = fault.detail.find(f".//{ns}Code") if fault.detail is not None else None
        checks.check(f"{label}: the Fault carries the contract's RequisitionFault detail",
                     code is not None and code.text == "CATEGORY-UNKNOWN",
                     f"detail code {None if code is None else code.text!r}")
    except Exception as error:
        checks.check(f"{label}: an order for an unknown category is a SOAP Fault", False,
                     f"{type(error).__name__}: {error}")


def main(argv):
    args = parse_args(argv)
    try:
        import zeep
        from zeep.transports import Transport
        from zeep.wsdl.bindings.soap import Soap11Binding, Soap12Binding
    except ImportError as error:
        print(f"SKIPPED: python3-zeep is not available to {sys.executable} ({error}); "
              "install it with: apt-get install -y python3-zeep")
        return SKIP

    checks = Checks()
    try:
        client = zeep.Client(wsdl=args.wsdl,
                             transport=Transport(timeout=args.timeout, operation_timeout=args.timeout))
    except Exception as error:
        checks.check(f"the WSDL {args.wsdl} loads", False, f"{type(error).__name__}: {error}")
        print(f"{checks.passed} passed, {checks.failed} failed")
        return 1
    checks.check(f"the WSDL {args.wsdl} loads", True)

    versions = {Soap11Binding: "1.1", Soap12Binding: "1.2"}
    bindings = [(name, versions[type(binding)]) for name, binding in client.wsdl.bindings.items()
                if type(binding) in versions]
    wanted = [(name, version) for name, version in bindings if args.soap in ("all", version)]
    checks.check(f"the WSDL has a SOAP {args.soap if args.soap != 'all' else ''} binding".replace("  ", " "),
                 bool(wanted), f"bindings: {list(client.wsdl.bindings)}")
    for name, version in wanted:
        run_binding(client, name, version, args, checks)

    print(f"{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 and checks.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
