#include <gtest/gtest.h>

#include "soap_test_support.hpp"

namespace socialdefault::soap::testing {
namespace {

TEST(Rewrite, ExampleShortlistGetsTheSocialDefaultFirstAndKeepsEverySupplier) {
  const SoapAdapter adapter = example_adapter();
  auto out = rewrite(adapter, example("shortlist-response.xml"), example_decision);
  ASSERT_TRUE(out.ok()) << out.error().describe();
  expect_golden("example-response.out.xml", *out);
}

}  // namespace
}  // namespace socialdefault::soap::testing
