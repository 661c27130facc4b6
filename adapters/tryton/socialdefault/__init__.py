# Tryton module "socialdefault": the ordering screen preselects a social
# enterprise through libsocialdefault (docs/tryton.md).
from trytond.pool import Pool

from . import purchase


def register():
    Pool.register(
        purchase.CategoryCode,
        purchase.PurchaseRequisitionLine,
        purchase.PurchaseRequisition,
        purchase.PurchaseRequest,
        purchase.Purchase,
        module='socialdefault', type_='model')
