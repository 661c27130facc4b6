// Rewrite cost against its floor (pugixml parse-only and serialise-only of
// the same document) and against an XSLT doing the same job (libxslt).
// Run: build/release/bench/sd_rewrite_bench (see bench/RESULTS.md).
#include <benchmark/benchmark.h>
#include <libxml/parser.h>
#include <libxslt/transform.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <pugixml.hpp>
#include <string>

#include "fast_scan.hpp"
#include "shortlist_generator.hpp"
#include "socialdefault/adapter.hpp"
#include "socialdefault/decision.hpp"
#include "socialdefault/policy.hpp"

namespace sd = socialdefault;

namespace {

struct Fixture {
  std::shared_ptr<const sd::Policy> policy;
  std::shared_ptr<const sd::Adapter> adapter;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture out;
    const std::string root = SD_SOURCE_DIR;
    auto policy = sd::load_policy(root + "/examples/config.xml");
    auto adapter = sd::AdapterRegistry::builtin().create("soap", {root + "/examples/erp/mapping.xml", {}});
    if (!policy || !adapter) {
      std::cerr << "cannot load the example configuration or mapping: "
                << (!policy ? policy.error().describe() : adapter.error().describe()) << "\n";
      std::exit(1);
    }
    out.policy = std::move(policy).value();
    out.adapter = std::move(adapter).value();
    return out;
  }();
  return f;
}

void set_bytes(benchmark::State& state, const std::string& doc) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * doc.size()));
  state.counters["doc_bytes"] = static_cast<double>(doc.size());
}

// The flags the SOAP adapter parses with: every byte belongs to a node.
constexpr unsigned kParseFlags = pugi::parse_full & ~pugi::parse_doctype;

void BM_ParseOnly(benchmark::State& state) {
  const std::string doc = sd::bench::shortlist_response(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    pugi::xml_document d;
    auto r = d.load_buffer(doc.data(), doc.size(), kParseFlags, pugi::encoding_utf8);
    benchmark::DoNotOptimize(r.status);
  }
  set_bytes(state, doc);
}

struct StringWriter : pugi::xml_writer {
  std::string out;
  void write(const void* data, size_t size) override { out.append(static_cast<const char*>(data), size); }
};

void BM_SerialiseOnly(benchmark::State& state) {
  const std::string doc = sd::bench::shortlist_response(static_cast<int>(state.range(0)));
  pugi::xml_document d;
  d.load_buffer(doc.data(), doc.size(), kParseFlags, pugi::encoding_utf8);
  for (auto _ : state) {
    StringWriter w;
    w.out.reserve(doc.size());
    d.save(w, "", pugi::format_raw | pugi::format_no_declaration);
    benchmark::DoNotOptimize(w.out.data());
  }
  set_bytes(state, doc);
}

// recognise + read_shortlist + decide + apply_decision: everything the
// gateway does to a shortlist except the ledger write. The message borrows
// the document's bytes, as in the engine's rewrite.
void rewrite_loop(benchmark::State& state, sd::bench::Shapes shapes = sd::bench::Shapes::alike);
void BM_Rewrite(benchmark::State& state) { rewrite_loop(state); }

// The same on a list whose suppliers' optional elements differ (four
// shapes of candidate in turn, see shortlist_generator.hpp).
void BM_RewriteVaried(benchmark::State& state) { rewrite_loop(state, sd::bench::Shapes::varied); }

// The same on the DOM path only (the fast path of adapters/soap/fast_scan.hpp
// switched off): the rewrite as it was before the fast path, in the same run.
void BM_RewriteDom(benchmark::State& state) {
  const socialdefault::soap::FastPathOff off;
  rewrite_loop(state);
}

void rewrite_loop(benchmark::State& state, sd::bench::Shapes shapes) {
  const Fixture& f = fixture();
  const std::string doc = sd::bench::shortlist_response(static_cast<int>(state.range(0)), shapes);
  const sd::DecisionContext context{sd::LocalDate{std::chrono::year{2026}, std::chrono::November, std::chrono::day{27}}, 0};
  std::uint64_t rotation = 0;
  // The shortlist is read into the same object each time, as the gateway's
  // io thread does with its RewriteScratch.
  sd::Shortlist shortlist;
  for (auto _ : state) {
    auto message = f.adapter->recognise_borrowed(doc);
    if (!f.adapter->read_shortlist_into(**message, nullptr, shortlist)) {
      state.SkipWithError("read_shortlist_into failed");
      break;
    }
    sd::DecisionContext c = context;
    c.rotation = rotation++;
    sd::Decision decision = sd::decide(*f.policy, shortlist, c);
    auto out = f.adapter->apply_decision(**message, shortlist, decision, *f.policy);
    if (!out) {
      state.SkipWithError(out.error().describe().c_str());
      break;
    }
    benchmark::DoNotOptimize(out->data());
  }
  set_bytes(state, doc);
}

// The phases of BM_Rewrite one at a time, so RESULTS.md can say where the
// time goes. Each phase's inputs are made once, outside the timed loop, by
// the phases before it.
struct Phases {
  const Fixture& f = fixture();
  std::string doc;
  std::unique_ptr<sd::Message> message;
  std::optional<sd::Shortlist> shortlist;
  sd::DecisionContext context{sd::LocalDate{std::chrono::year{2026}, std::chrono::November, std::chrono::day{27}}, 0};

  // Runs the phases before `upto` (0: none, 1: recognise, 2: + read).
  Phases(const benchmark::State& state, int upto) : doc(sd::bench::shortlist_response(static_cast<int>(state.range(0)))) {
    if (upto >= 1) message = std::move(f.adapter->recognise_borrowed(doc)).value();
    if (upto >= 2) shortlist = std::move(f.adapter->read_shortlist(*message, nullptr)).value();
  }
};

void BM_PhaseRecognise(benchmark::State& state) {
  Phases p(state, 0);
  for (auto _ : state) {
    auto message = p.f.adapter->recognise_borrowed(p.doc);
    benchmark::DoNotOptimize(message.ok());
  }
  set_bytes(state, p.doc);
}

void BM_PhaseReadShortlist(benchmark::State& state) {
  Phases p(state, 1);
  sd::Shortlist shortlist;  // reused, as in BM_Rewrite
  for (auto _ : state) {
    auto read = p.f.adapter->read_shortlist_into(*p.message, nullptr, shortlist);
    benchmark::DoNotOptimize(read.ok());
  }
  set_bytes(state, p.doc);
}

void BM_PhaseDecide(benchmark::State& state) {
  Phases p(state, 2);
  for (auto _ : state) {
    ++p.context.rotation;
    sd::Decision decision = sd::decide(*p.f.policy, *p.shortlist, p.context);
    benchmark::DoNotOptimize(decision.order.data());
  }
  set_bytes(state, p.doc);
}

void BM_PhaseApply(benchmark::State& state) {
  Phases p(state, 2);
  const sd::Decision decision = sd::decide(*p.f.policy, *p.shortlist, p.context);
  for (auto _ : state) {
    auto out = p.f.adapter->apply_decision(*p.message, *p.shortlist, decision, *p.f.policy);
    if (!out) {
      state.SkipWithError(out.error().describe().c_str());
      break;
    }
    benchmark::DoNotOptimize(out->data());
  }
  set_bytes(state, p.doc);
}

void BM_Xslt(benchmark::State& state) {
  const std::string doc = sd::bench::shortlist_response(static_cast<int>(state.range(0)));
  const std::string path = std::string(SD_SOURCE_DIR) + "/bench/shortlist.xsl";
  xsltStylesheetPtr sheet = xsltParseStylesheetFile(reinterpret_cast<const xmlChar*>(path.c_str()));
  if (sheet == nullptr) {
    state.SkipWithError("cannot load bench/shortlist.xsl");
    return;
  }
  for (auto _ : state) {
    xmlDocPtr in = xmlReadMemory(doc.data(), static_cast<int>(doc.size()), "shortlist.xml", nullptr, XML_PARSE_NONET);
    xmlDocPtr out = xsltApplyStylesheet(sheet, in, nullptr);
    xmlChar* text = nullptr;
    int size = 0;
    xsltSaveResultToString(&text, &size, out, sheet);
    benchmark::DoNotOptimize(text);
    xmlFree(text);
    xmlFreeDoc(out);
    xmlFreeDoc(in);
  }
  xsltFreeStylesheet(sheet);
  set_bytes(state, doc);
}

}  // namespace

BENCHMARK(BM_ParseOnly)->Arg(10)->Arg(50)->Arg(500);
BENCHMARK(BM_SerialiseOnly)->Arg(10)->Arg(50)->Arg(500);
BENCHMARK(BM_Rewrite)->Arg(10)->Arg(50)->Arg(500);
BENCHMARK(BM_RewriteVaried)->Arg(10)->Arg(50)->Arg(500);
BENCHMARK(BM_RewriteDom)->Arg(10)->Arg(50)->Arg(500);
BENCHMARK(BM_Xslt)->Arg(10)->Arg(50)->Arg(500);
BENCHMARK(BM_PhaseRecognise)->Arg(10)->Arg(50)->Arg(500);
BENCHMARK(BM_PhaseReadShortlist)->Arg(10)->Arg(50)->Arg(500);
BENCHMARK(BM_PhaseDecide)->Arg(10)->Arg(50)->Arg(500);
BENCHMARK(BM_PhaseApply)->Arg(10)->Arg(50)->Arg(500);

BENCHMARK_MAIN();
