# The ordering screen's hooks: a product chosen on a requisition line gets
# the social default as its supplier; a purchase request without a supplier
# gets it from find_best_product_supplier; approving a requisition or
# confirming a purchase records the choice. A supplier a person chose is
# never changed, and the supplier field keeps its domain: every party stays
# selectable.
import datetime
import logging
import uuid

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from . import native

CONTEXT_KEY = 'socialdefault_correlation'
logger = logging.getLogger(__name__)


class CategoryCode(ModelSQL, ModelView):
    "Social Default Category Code"
    __name__ = 'socialdefault.category_code'
    product_category = fields.Many2One(
        'product.category', "Product Category", required=True,
        ondelete='CASCADE', select=True)
    code_system = fields.Char(
        "Code System", required=True,
        help="The code list of the socialdefault configuration: CPV, or "
        "the ERP's own list.")
    code = fields.Char(
        "Code", required=True,
        help="The category's code in socialdefault's configuration, e.g. "
        "03121200-7 for flowers.")

    @staticmethod
    def default_code_system():
        return 'CPV'

    @classmethod
    def for_product(cls, product):
        """{"code_system", "code"} of the product's first mapped category
        (its own categories before their parents), or None."""
        if product is None:
            return None
        template = product.template
        ordered = list(template.categories or []) + [
            c for c in (template.categories_all or [])
            if c not in (template.categories or [])]
        if template.account_category:
            ordered.append(template.account_category)
        for category in ordered:
            found = cls.search([('product_category', '=', category.id)],
                limit=1)
            if found:
                return {'code_system': found[0].code_system,
                    'code': found[0].code}
        return None


def supplier_id(party):
    "The id socialdefault's configuration knows the supplier by."
    return party.code


def identifiers(party):
    ids = [{'scheme': 'erp', 'value': party.code}]
    for identifier in party.identifiers:
        ids.append({'scheme': identifier.type or 'tryton',
                'value': identifier.code})
    return ids


def party_for(supplier):
    "The party of a configured supplier id, or None."
    Party = Pool().get('party.party')
    found = Party.search([('code', '=', supplier)], limit=1)
    return found[0] if found else None


def requester_of(employee):
    # A stable raw id; socialdefault stores only its keyed pseudonym.
    if employee is None:
        return ''
    return 'tryton-employee-%d' % employee.id


def money(amount, currency):
    if amount is None or currency is None:
        return {}
    return {'amount': str(currency.round(amount)), 'currency': currency.code}


def record_after_commit(lines):
    "Appends the lines to the ledger once Tryton has committed them."
    if lines:
        Transaction().join(_ChoiceRecorder()).lines.extend(lines)


class _ChoiceRecorder:
    """A data manager: the ledger gets the choices only after the database
    commit, so a rolled back approval leaves no choice behind."""

    def __init__(self):
        self.lines = []

    def __eq__(self, other):
        return isinstance(other, _ChoiceRecorder)

    def __hash__(self):
        return hash(_ChoiceRecorder)

    def abort(self, trans):
        self.lines = []

    def tpc_begin(self, trans):
        pass

    def commit(self, trans):
        pass

    def tpc_vote(self, trans):
        pass

    def tpc_finish(self, trans):
        native.record(self.lines)
        self.lines = []

    def tpc_abort(self, trans):
        self.lines = []


class PurchaseRequisitionLine(metaclass=PoolMeta):
    __name__ = 'purchase.requisition.line'
    # Editable (and invisible in the views) so that the clients send back
    # what on_change_product set: sao and proteus skip read-only fields.
    socialdefault_correlation = fields.Char("Social Default Correlation")
    socialdefault_offered = fields.Many2One(
        'party.party', "Social Default Offered", ondelete='SET NULL')
    socialdefault_recorded = fields.Boolean(
        "Social Default Recorded", readonly=True)

    @classmethod
    def copy(cls, lines, default=None):
        default = dict(default or {})
        default.setdefault('socialdefault_correlation')
        default.setdefault('socialdefault_offered')
        default.setdefault('socialdefault_recorded', False)
        return super().copy(lines, default=default)

    def _socialdefault_candidates(self):
        candidates = []
        for product_supplier in self.product.product_suppliers:
            party = product_supplier.party
            if party and party.code and all(
                    c['supplier_id'] != party.code for c in candidates):
                candidates.append({
                        'supplier_id': supplier_id(party),
                        'name': party.name,
                        'identifiers': identifiers(party),
                        'preselected': party == self.supplier,
                        })
        if self.supplier and all(
                c['supplier_id'] != self.supplier.code for c in candidates):
            candidates.append({
                    'supplier_id': supplier_id(self.supplier),
                    'name': self.supplier.name,
                    'identifiers': identifiers(self.supplier),
                    'preselected': True,
                    })
        return candidates

    @fields.depends('socialdefault_correlation', 'socialdefault_offered',
        'requisition', '_parent_requisition.employee')
    def on_change_product(self):
        super().on_change_product()
        if not self.product:
            return
        # A supplier that socialdefault did not preselect was chosen by a
        # person: it stays, and no default is offered over it.
        if self.supplier and self.supplier != self.socialdefault_offered:
            return
        try:
            supplier, correlation = self._socialdefault_preselect()
        except Exception:
            # Fail open: whatever went wrong, the line stays as Tryton made it.
            logger.exception("socialdefault: no supplier preselected for %s",
                self.product.rec_name)
            return
        self.supplier = supplier
        self.socialdefault_offered = supplier
        self.socialdefault_correlation = correlation

    def _socialdefault_preselect(self):
        """The supplier to preselect for the line's product (None when
        socialdefault has no default: the default of a previous product is
        taken back), and the correlation id of its offer."""
        correlation = self.socialdefault_correlation
        CategoryCode = Pool().get('socialdefault.category_code')
        category = CategoryCode.for_product(self.product)
        if category is None:
            return None, correlation
        correlation = correlation or str(uuid.uuid4())
        if self.socialdefault_offered:
            self.supplier = None  # not a candidate of the new product
        employee = self.requisition.employee if self.requisition else None
        decision = native.offer({
                'correlation_id': correlation,
                'category': category,
                'requester': requester_of(employee),
                'candidates': self._socialdefault_candidates(),
                })
        if not decision or not decision.get('default_supplier'):
            return None, correlation
        return party_for(decision['default_supplier']), correlation

    def compute_request(self):
        # find_best_product_supplier links its offer to this line.
        with Transaction().set_context(
                {CONTEXT_KEY: self.socialdefault_correlation or None}):
            return super().compute_request()

    def socialdefault_choice(self, supplier, number):
        "The order line for sd_record_choices, or None when not mapped."
        CategoryCode = Pool().get('socialdefault.category_code')
        category = CategoryCode.for_product(self.product)
        if category is None or supplier is None or not supplier.code:
            return None
        requisition = self.requisition
        line = {
            'correlation_id': self.socialdefault_correlation
            or 'purchase.requisition.line,%d' % self.id,
            'order_ref': requisition.number or requisition.rec_name,
            'line': number,
            'category': category,
            'requester': requester_of(requisition.employee),
            'supplier_id': supplier_id(supplier),
            'identifiers': identifiers(supplier),
            'description': self.product.rec_name,
            }
        line.update(money(self.amount, requisition.currency))
        return line


class PurchaseRequisition(metaclass=PoolMeta):
    __name__ = 'purchase.requisition'

    @classmethod
    def approve(cls, requisitions):
        super().approve(requisitions)
        try:
            cls._socialdefault_record(requisitions)
        except Exception:
            # Fail open: the approval stands without its record.
            logger.exception("socialdefault: requisitions %s not recorded",
                [r.id for r in requisitions])

    @classmethod
    def _socialdefault_record(cls, requisitions):
        RequisitionLine = Pool().get('purchase.requisition.line')
        # Lines without a supplier get one in find_best_product_supplier;
        # their choice is recorded when their purchase is confirmed.
        choices, done = [], []
        for requisition in cls.browse([r.id for r in requisitions]):
            if requisition.state not in {'approved', 'processing', 'done'}:
                continue
            for number, line in enumerate(requisition.lines, 1):
                if line.socialdefault_recorded or not line.supplier:
                    continue
                choice = line.socialdefault_choice(line.supplier, number)
                if choice is not None:
                    choices.append(choice)
                    done.append(line)
        if done:
            RequisitionLine.write(done, {'socialdefault_recorded': True})
        record_after_commit(choices)


class PurchaseRequest(metaclass=PoolMeta):
    __name__ = 'purchase.request'

    @classmethod
    def find_best_product_supplier(cls, product, date, **pattern):
        best = super().find_best_product_supplier(product, date, **pattern)
        try:
            return cls._socialdefault_best(product, date, best, pattern)
        except Exception:
            # Fail open: Tryton's own choice stands.
            logger.exception("socialdefault: no supplier decided for %s",
                product.rec_name)
            return best

    @classmethod
    def _socialdefault_best(cls, product, date, best, pattern):
        CategoryCode = Pool().get('socialdefault.category_code')
        category = CategoryCode.for_product(product)
        if category is None:
            return best
        # Only suppliers that Tryton itself would accept for the date: the
        # same rule as find_best_product_supplier (unknown lead time: none).
        today = Pool().get('ir.date').today()
        used = [ps for ps in product.product_suppliers_used(**pattern)
            if ps.party and ps.party.code and (date is None
                or date - ps.compute_supply_date(date=today)
                >= datetime.timedelta(0))]
        if not used:
            return best
        correlation = (Transaction().context.get(CONTEXT_KEY)
            or str(uuid.uuid4()))
        decision = native.offer({
                'correlation_id': correlation,
                'category': category,
                'candidates': [{
                        'supplier_id': supplier_id(ps.party),
                        'name': ps.party.name,
                        'identifiers': identifiers(ps.party),
                        'preselected': ps == best,
                        } for ps in used],
                })
        if not decision or not decision.get('default_supplier'):
            return best
        for ps in used:
            if supplier_id(ps.party) == decision['default_supplier']:
                return ps
        # The default is not one of the product's suppliers: a purchase
        # request needs a product supplier, so Tryton's own choice stands.
        return best


class Purchase(metaclass=PoolMeta):
    __name__ = 'purchase.purchase'

    @classmethod
    def confirm(cls, purchases):
        super().confirm(purchases)
        try:
            cls._socialdefault_record(purchases)
        except Exception:
            # Fail open: the confirmation stands without its record.
            logger.exception("socialdefault: purchases %s not recorded",
                [p.id for p in purchases])

    @classmethod
    def _socialdefault_record(cls, purchases):
        pool = Pool()
        RequisitionLine = pool.get('purchase.requisition.line')
        CategoryCode = pool.get('socialdefault.category_code')
        choices, done = [], []
        for purchase in cls.browse([p.id for p in purchases]):
            if purchase.state != 'confirmed':
                continue
            for number, line in enumerate(purchase.lines, 1):
                if line.type != 'line' or not line.product:
                    continue
                origins = [r.origin for r in getattr(line, 'requests', [])
                    if isinstance(r.origin, RequisitionLine)]
                if any(o.socialdefault_recorded for o in origins):
                    continue
                if origins:
                    choice = origins[0].socialdefault_choice(
                        purchase.party, number)
                    if choice is not None:
                        choice['order_ref'] = purchase.number or \
                            choice['order_ref']
                        choice.update(money(line.amount, purchase.currency))
                        done.extend(origins)
                else:
                    category = CategoryCode.for_product(line.product)
                    choice = None
                    if category is not None and purchase.party.code:
                        choice = {
                            'correlation_id': 'purchase.line,%d' % line.id,
                            'order_ref': purchase.number or purchase.rec_name,
                            'line': number,
                            'category': category,
                            'supplier_id': supplier_id(purchase.party),
                            'identifiers': identifiers(purchase.party),
                            'description': line.product.rec_name,
                            }
                        choice.update(money(line.amount, purchase.currency))
                if choice is not None:
                    choices.append(choice)
        if done:
            RequisitionLine.write(done, {'socialdefault_recorded': True})
        record_after_commit(choices)
