// Shared helpers of the SOAP adapter tests: fixtures, the example mapping,
// a flowers policy built in code, decisions built by hand and golden files.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mapping.hpp"
#include "soap_adapter.hpp"
#include "soap_message.hpp"
#include "socialdefault/adapter.hpp"
#include "socialdefault/decision.hpp"
#include "socialdefault/policy.hpp"
#include "test_files.hpp"

namespace socialdefault::soap::testing {

inline std::filesystem::path source_dir() { return SD_SOURCE_DIR; }
inline std::filesystem::path examples_dir() { return source_dir() / "examples" / "erp"; }
inline std::filesystem::path golden_dir() { return source_dir() / "tests" / "adapters" / "soap" / "golden"; }

using socialdefault::testing::read_file;

inline std::string example(std::string_view name) { return read_file(examples_dir() / name); }
inline std::string golden(std::string_view name) { return read_file(golden_dir() / name); }

// Compares with golden/<name> byte for byte. SD_UPDATE_GOLDEN=1 rewrites the
// file instead (then review the diff before committing).
inline void expect_golden(std::string_view name, const std::string& actual) {
  const std::filesystem::path path = golden_dir() / name;
  if (const char* update = std::getenv("SD_UPDATE_GOLDEN"); update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  const std::string expected = read_file(path);
  EXPECT_EQ(expected, actual) << "output differs from " << path;
}

inline std::shared_ptr<const Mapping> example_mapping() {
  auto mapping = load_mapping(examples_dir() / "mapping.xml");
  EXPECT_TRUE(mapping.ok()) << (mapping.ok() ? "" : mapping.error().describe());
  return mapping.ok() ? *mapping : nullptr;
}

inline std::shared_ptr<const Mapping> mapping_from(std::string_view xml) {
  auto mapping = parse_mapping(xml, "test-mapping.xml");
  EXPECT_TRUE(mapping.ok()) << (mapping.ok() ? "" : mapping.error().describe());
  return mapping.ok() ? *mapping : nullptr;
}

inline SoapAdapter example_adapter(Limits limits = {}) { return SoapAdapter(example_mapping(), limits); }

inline std::unique_ptr<Message> recognise_ok(const Adapter& adapter, std::string_view bytes) {
  auto message = adapter.recognise(bytes);
  EXPECT_TRUE(message.ok()) << (message.ok() ? "" : message.error().describe());
  return message.ok() ? std::move(*message) : nullptr;
}

// The flowers suppliers of the example deployment; enough for names and KvK.
inline Policy flowers_policy() {
  Policy policy;
  policy.organisation.name = "Gemeente Voorbeeldstad";
  const auto add = [&](std::string id, std::string name, std::string kvk, bool social) {
    Supplier s;
    s.id = std::move(id);
    s.name = std::move(name);
    s.identifiers.push_back({"kvk", std::move(kvk)});
    s.social = social;
    policy.suppliers.push_back(std::move(s));
  };
  add("BLOEM-01", "Bloemenatelier De Werkplaats", "70000001", true);
  add("BLOEM-02", "Groen & Meer Leerwerkbedrijf", "70000002", true);
  add("BLOEM-03", "Kwekerij Samen", "70000003", true);
  add("FLR-100", "Bloemen Groothandel Holland", "60000100", false);
  add("FLR-200", "Fleurop Partner Centrum", "60000200", false);
  add("FLR-300", "Tuincentrum Randstad", "60000300", false);
  return policy;
}

// A decision that places the suppliers in the given order, preselects the
// default, and injects ids that are not in the shortlist.
inline Decision decision_for(const Shortlist& shortlist, std::initializer_list<std::string_view> order,
                             std::string_view default_id, std::vector<Note> notes = {}) {
  Decision d;
  d.reason = Reason::applied;
  d.default_supplier_id = std::string(default_id);
  for (std::string_view id : order) {
    Placement p;
    p.supplier_id = std::string(id);
    for (std::size_t i = 0; i < shortlist.candidates.size(); ++i) {
      if (shortlist.candidates[i].supplier_id == id) p.source = i;
    }
    p.injected = !p.source.has_value();
    p.social = id.substr(0, 5) == "BLOEM";
    p.preselected = id == default_id;
    d.order.push_back(std::move(p));
  }
  d.notes = std::move(notes);
  return d;
}

inline Note candidate_note(std::string supplier, std::string text) {
  return Note{NoteTarget::candidate, std::move(supplier), "impact", std::move(text)};
}
inline Note message_note(std::string text) { return Note{NoteTarget::message, {}, "norm", std::move(text)}; }

// The decision the example shortlist gets: BLOEM-01 by rotation, the social
// options first, BLOEM-03 injected, every regular supplier kept.
inline Decision example_decision(const Shortlist& shortlist) {
  return decision_for(shortlist, {"BLOEM-01", "BLOEM-02", "BLOEM-03", "FLR-100", "FLR-200", "FLR-300"}, "BLOEM-01",
                      {candidate_note("BLOEM-01", "Werkt met 14 mensen met een afstand tot de arbeidsmarkt."),
                       candidate_note("BLOEM-02", "Leerwerkbedrijf: 22 banen voor mensen met een afstand tot de arbeidsmarkt."),
                       candidate_note("BLOEM-03", "Kwekerij Samen: 9 banen; prijs op aanvraag."),
                       message_note("Sociale leveranciers staan bovenaan; u kunt altijd een andere kiezen.")});
}

// recognise + read_shortlist + apply_decision with the decision that make()
// builds from the shortlist.
template <typename MakeDecision>
Result<std::string> rewrite(const Adapter& adapter, std::string_view response, MakeDecision make,
                            const Policy& policy = flowers_policy()) {
  auto message = adapter.recognise(response);
  if (!message) return std::move(message).error();
  auto shortlist = adapter.read_shortlist(**message, nullptr);
  if (!shortlist) return std::move(shortlist).error();
  const Decision decision = make(*shortlist);
  return adapter.apply_decision(**message, *shortlist, decision, policy);
}

}  // namespace socialdefault::soap::testing
