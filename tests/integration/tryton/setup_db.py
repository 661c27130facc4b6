"""Fills a freshly activated Tryton database (trytond-admin) with the example
deployment's flower suppliers: a company, an employee for the admin user,
the parties with their socialdefault ids as party codes, one flower product
in a category mapped to CPV 03121200-7. Run once per test run; the scenario
and the browser check use copies.

usage: /usr/bin/python3 setup_db.py TRYTOND_CONF DATABASE
"""
import datetime
import sys
from decimal import Decimal

from proteus import Model, Wizard, config as pconfig


def main(conf, database):
    cfg = pconfig.set_trytond(database=database, config_file=conf)
    # Tryton's own test tools need its test database settings, so the
    # company is made the way they make it.
    Party = Model.get('party.party')
    Currency = Model.get('currency.currency')
    eur = Currency(name='Euro', code='EUR', symbol='€',
        rounding=Decimal('0.01'), digits=2)
    eur.save()
    company_party = Party(name='Gemeente Voorbeeldstad')
    company_party.save()
    company_config = Wizard('company.company.config')
    company_config.execute('company')
    company_config.form.party = company_party
    company_config.form.currency = eur
    company_config.execute('add')
    Company = Model.get('company.company')
    company, = Company.find()

    # The admin user orders and approves: an employee, and every group.
    User = Model.get('res.user')
    Group = Model.get('res.group')
    Employee = Model.get('company.employee')
    employee_party = Party(name='Medewerker Burgerzaken')
    employee_party.save()
    employee = Employee(party=employee_party, company=company)
    employee.save()
    admin, = User.find([('login', '=', 'admin')])
    for group in Group.find([]):
        if group not in admin.groups:
            admin.groups.append(group)
    admin.employees.append(employee)
    admin.employee = employee
    admin.save()
    cfg._context = User.get_preferences(True, {})

    suppliers = {}
    for code, name in [
            ('BLOEM-01', 'Bloemenatelier De Werkplaats'),
            ('BLOEM-02', 'Groen & Meer Leerwerkbedrijf'),
            ('BLOEM-03', 'Kwekerij Samen'),
            ('FLR-100', 'Bloemen Groothandel Holland'),
            ('FLR-200', 'Fleurop Partner Centrum'),
            ('FLR-300', 'Tuincentrum Randstad')]:
        party = Party(code=code, name=name)
        party.save()
        suppliers[code] = party

    ProductCategory = Model.get('product.category')
    flowers = ProductCategory(name='Bloemen')
    flowers.save()
    CategoryCode = Model.get('socialdefault.category_code')
    CategoryCode(product_category=flowers, code_system='CPV',
        code='03121200-7').save()

    Uom = Model.get('product.uom')
    unit, = Uom.find([('name', '=', 'Unit')])
    Template = Model.get('product.template')
    template = Template(name='Boeket bloemen')
    template.default_uom = unit
    template.purchase_uom = unit
    template.type = 'goods'
    template.purchasable = True
    template.list_price = Decimal('30')
    template.categories.append(ProductCategory(flowers.id))
    # The regular wholesaler first: Tryton's own choice, without
    # socialdefault, would be FLR-100.
    for code in ['FLR-100', 'FLR-200', 'BLOEM-01', 'BLOEM-02', 'BLOEM-03']:
        product_supplier = template.product_suppliers.new()
        product_supplier.party = suppliers[code]
        # Without a lead time Tryton trusts no supplier to deliver in time.
        product_supplier.lead_time = datetime.timedelta(days=1)
    template.save()
    # A product outside every mapped category: socialdefault leaves it alone.
    pens = Template(name='Pennen', default_uom=unit, purchase_uom=unit,
        type='goods', purchasable=True, list_price=Decimal('2'))
    pens.save()
    # The module configuration wizard would greet the first login in sao.
    WizardItem = Model.get('ir.module.config_wizard.item')
    for item in WizardItem.find([('state', '!=', 'done')]):
        item.state = 'done'
        item.save()
    print('setup_db: company, employee, 6 suppliers, 1 flower product, 1 other product')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
