"""Compares the ledger's MVI export (socialdefault export --format json
--group-by supplier) with the choices the scenario made: the same orders per
supplier and outcome, and nothing else.

usage: python3 check_ledger.py EXPORT_JSON SCENARIO_OUTPUT ORDERS
Prints one line per check and "N passed, N failed"; exit 1 on a failure.
"""
import collections
import json
import sys
from decimal import Decimal

OUTCOMES = {'kept-default': 'kept_default', 'other-social': 'other_social',
    'regular': 'regular', 'not-offered': 'not_offered'}


def main(export_path, scenario_path, orders_expected):
    with open(export_path) as f:
        export = json.load(f)
    expected = collections.Counter()
    with open(scenario_path) as f:
        for line in f:
            if line.startswith('choice '):
                c = json.loads(line[len('choice '):])
                expected[(c['supplier'], OUTCOMES[c['outcome']])] += 1
    found = collections.Counter()
    orders = 0
    for row in export['rows']:
        orders += row['orders']
        # The export gives each outcome as a share of the offered orders;
        # the orders without an offer are the rest.
        for column in ['kept_default', 'other_social', 'regular']:
            share = Decimal(row[column + '_share'] or 0)  # null: none offered
            count = int((share * row['offered_orders'] / 100).to_integral_value())
            if count:
                found[(row['supplier'], column)] += count
        if row['orders'] > row['offered_orders']:
            found[(row['supplier'], 'not_offered')] += \
                row['orders'] - row['offered_orders']
    checks = [
        (sum(expected.values()) == orders_expected,
            'the scenario made %d choices (%d)' % (orders_expected,
                sum(expected.values()))),
        (orders == orders_expected,
            'the export has exactly %d orders (%d)' % (orders_expected, orders)),
        (found == expected, 'per supplier and outcome the export matches '
            'the scenario: %s' % sorted(found.items())),
        ]
    failed = 0
    for ok, what in checks:
        print(('ok    ' if ok else 'FAIL  ') + what)
        failed += not ok
    print('ledger: %d passed, %d failed' % (len(checks) - failed, failed))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
