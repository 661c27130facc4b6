// Policy's supplier look-ups: the index the loader builds gives the same
// answers as the search in file order it replaces.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "socialdefault/policy.hpp"

namespace socialdefault {
namespace {

Supplier supplier(std::string id, std::vector<SupplierIdentifier> identifiers) {
  Supplier s;
  s.id = std::move(id);
  s.name = "Supplier " + s.id;
  s.identifiers = std::move(identifiers);
  return s;
}

Policy example() {
  Policy p;
  p.suppliers.push_back(supplier("S-1", {{"kvk", "70000001"}, {"peppol", "0106:70000001"}}));
  p.suppliers.push_back(supplier("S-2", {{"kvk", "70000002"}, {"duns", "123456789"}}));
  // The same KvK number as S-2 under another ERP id: the first in file order wins.
  p.suppliers.push_back(supplier("S-3", {{"kvk", "70000002"}, {"erp", "LEGACY-3"}}));
  p.suppliers.push_back(supplier("S-1", {{"kvk", "70000009"}}));  // a repeated id: the first wins
  return p;
}

struct Query {
  std::string scheme;
  std::string value;
};

const std::vector<Query> kQueries = {
    {"erp", "S-1"},      {"erp", "S-2"},      {"erp", "S-3"},          {"erp", "S-4"},     {"erp", "LEGACY-3"},
    {"kvk", "70000001"}, {"kvk", "70000002"}, {"kvk", "70000009"},     {"kvk", "7000000"}, {"kvk", "700000010"},
    {"duns", "123456789"}, {"peppol", "0106:70000001"}, {"vat", "70000001"}, {"", ""}, {"kvk", ""},
};

// The id of what a look-up found, or "-" for nothing; the position tells
// apart two suppliers with one id.
std::string found(const Policy& p, const Supplier* s) {
  if (s == nullptr) return "-";
  return s->id + "#" + std::to_string(s - p.suppliers.data());
}

TEST(PolicyIndex, AnswersLikeTheSearchInFileOrder) {
  const Policy plain = example();
  Policy indexed = example();
  indexed.index_suppliers();
  for (const Query& q : kQueries) {
    SCOPED_TRACE(q.scheme + ":" + q.value);
    EXPECT_EQ(found(indexed, indexed.find_supplier_by_identifier(q.scheme, q.value)),
              found(plain, plain.find_supplier_by_identifier(q.scheme, q.value)));
  }
  for (const std::string id : {"S-1", "S-2", "S-3", "S-4", "", "LEGACY-3"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(found(indexed, indexed.find_supplier(id)), found(plain, plain.find_supplier(id)));
  }
}

TEST(PolicyIndex, FindsByEveryScheme) {
  Policy p = example();
  p.index_suppliers();
  EXPECT_EQ(found(p, p.find_supplier("S-1")), "S-1#0");
  EXPECT_EQ(found(p, p.find_supplier_by_identifier("kvk", "70000002")), "S-2#1");
  EXPECT_EQ(found(p, p.find_supplier_by_identifier("duns", "123456789")), "S-2#1");
  EXPECT_EQ(found(p, p.find_supplier_by_identifier("kvk", "70000009")), "S-1#3");
  EXPECT_EQ(found(p, p.find_supplier_by_identifier("vat", "70000001")), "-");
}

TEST(PolicyIndex, SurvivesACopy) {
  Policy original = example();
  original.index_suppliers();
  const Policy copy = original;  // the index holds positions, not pointers
  original.suppliers.clear();
  EXPECT_EQ(found(copy, copy.find_supplier_by_identifier("kvk", "70000001")), "S-1#0");
}

// Enough suppliers that the hash table grows and keys share slots, and keys
// that differ only in where scheme ends and value begins.
TEST(PolicyIndex, ManySuppliersAndSplitKeys) {
  Policy plain;
  for (int i = 0; i < 700; ++i) {
    const std::string n = std::to_string(i);
    plain.suppliers.push_back(supplier("V-" + n, {{"kvk", "7" + n}, {"k", "vk7" + n}, {"duns", n}}));
  }
  Policy indexed = plain;
  indexed.index_suppliers();
  int checked = 0;
  for (int i = 0; i < 760; i += 3) {
    const std::string n = std::to_string(i);
    for (const Query& q : std::vector<Query>{{"erp", "V-" + n}, {"kvk", "7" + n}, {"k", "vk7" + n}, {"kv", "k7" + n},
                                             {"duns", n}, {"dun", "s" + n}}) {
      SCOPED_TRACE(q.scheme + ":" + q.value);
      EXPECT_EQ(found(indexed, indexed.find_supplier_by_identifier(q.scheme, q.value)),
                found(plain, plain.find_supplier_by_identifier(q.scheme, q.value)));
      ++checked;
    }
  }
  EXPECT_EQ(found(indexed, indexed.find_supplier_by_identifier("k", "vk7699")), "V-699#699");
  EXPECT_EQ(found(indexed, indexed.find_supplier_by_identifier("kv", "k7699")), "-");
  EXPECT_GT(checked, 1000);
}

}  // namespace
}  // namespace socialdefault
