// The adapter with the real core: the example configuration, decide() and
// the example ERP messages, as the gateway and the CLI run them.
#include <gtest/gtest.h>

#include "soap_test_support.hpp"

namespace socialdefault::soap::testing {
namespace {


TEST(SoapEndToEnd, ExampleShortlistWithDecide) {
  auto policy = load_policy(source_dir() / "examples" / "config.xml");
  ASSERT_TRUE(policy.ok()) << policy.error().describe();
  const SoapAdapter adapter = example_adapter();
  auto request = recognise_ok(adapter, example("shortlist-request.xml"));
  auto response = recognise_ok(adapter, example("shortlist-response.xml"));
  ASSERT_TRUE(request && response);
  auto shortlist = adapter.read_shortlist(*response, request.get());
  ASSERT_TRUE(shortlist.ok()) << shortlist.error().describe();

  for (std::uint64_t rotation = 0; rotation < 3; ++rotation) {
    SCOPED_TRACE("rotation " + std::to_string(rotation));
    DecisionContext context;
    context.date = std::chrono::year{2026} / std::chrono::November / 27;
    context.rotation = rotation;
    const Decision decision = decide(**policy, *shortlist, context);
    ASSERT_EQ(decision.reason, Reason::applied);
    auto out = adapter.apply_decision(*response, *shortlist, decision, **policy);
    ASSERT_TRUE(out.ok()) << out.error().describe();

    auto rewritten = recognise_ok(adapter, *out);
    ASSERT_NE(rewritten, nullptr);
    auto after = adapter.read_shortlist(*rewritten, request.get());
    ASSERT_TRUE(after.ok()) << after.error().describe();
    // The default is first and the only one preselected...
    ASSERT_FALSE(after->candidates.empty());
    EXPECT_EQ(after->candidates[0].supplier_id, decision.order[0].supplier_id);
    EXPECT_EQ(after->candidates[0].supplier_id.substr(0, 6), "BLOEM-");
    for (std::size_t i = 0; i < after->candidates.size(); ++i) {
      EXPECT_EQ(after->candidates[i].preselected, i == 0) << after->candidates[i].supplier_id;
    }
    // ...every supplier of the ERP is still there, and BLOEM-03 was added.
    for (const Candidate& c : shortlist->candidates) {
      EXPECT_NE(out->find("<SupplierId>" + c.supplier_id + "</SupplierId>"), std::string::npos) << c.supplier_id;
    }
    EXPECT_NE(out->find("<SupplierId>BLOEM-03</SupplierId>"), std::string::npos);
    EXPECT_EQ(after->candidates.size(), shortlist->candidates.size() + 1);
    // The impact note of the default is on its line.
    for (const Note& note : decision.notes) {
      if (note.target == NoteTarget::candidate) {
        EXPECT_NE(out->find(note.text), std::string::npos) << note.text;
      }
    }
    // And the context the core needs came through.
    EXPECT_EQ(after->department, "Burgerzaken");
  }
}

TEST(SoapEndToEnd, OrderIsReadForTheLedger) {
  const SoapAdapter adapter = example_adapter();
  auto order = recognise_ok(adapter, example("order-request.xml"));
  auto answer = recognise_ok(adapter, example("order-response.xml"));
  ASSERT_TRUE(order && answer);
  auto choices = adapter.read_choice(*order, answer.get());
  ASSERT_TRUE(choices.ok()) << choices.error().describe();
  auto policy = load_policy(source_dir() / "examples" / "config.xml");
  ASSERT_TRUE(policy.ok()) << policy.error().describe();
  const Supplier* chosen = (*policy)->find_supplier(choices->front().supplier_id);
  ASSERT_NE(chosen, nullptr);
  EXPECT_TRUE(chosen->social);
  EXPECT_NE((*policy)->find_category(choices->front().category.code_system, choices->front().category.code,
                                     choices->front().department),
            nullptr);
}

}  // namespace
}  // namespace socialdefault::soap::testing
