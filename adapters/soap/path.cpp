#include "path.hpp"
#include "encoding.hpp"

namespace socialdefault::soap {

namespace {

constexpr std::string_view kExpectedSyntax =
    "expected child steps like prefix:Name separated by \"/\", optionally ending in \"/@attribute\"";

bool is_name_start(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool is_name_char(unsigned char c) noexcept {
  return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// An NCName, roughly: non-ASCII characters are accepted as they are.
bool is_ncname(std::string_view s) noexcept {
  if (s.empty() || !is_name_start(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!is_name_char(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string declared_prefixes(const NamespaceTable& namespaces) {
  if (namespaces.empty()) return "none are declared";
  std::string list;
  for (const auto& [prefix, _] : namespaces) list += (list.empty() ? "" : ", ") + prefix;
  return "declared: " + list;
}

}  // namespace

NameOrProblem compile_name(std::string_view written, const NamespaceTable& namespaces) {
  const QualifiedName q = split_name(written);
  if (!is_ncname(q.local) || (!q.prefix.empty() && !is_ncname(q.prefix)) ||
      q.local.find(':') != std::string_view::npos || (written.find(':') != std::string_view::npos && q.prefix.empty())) {
    return {std::nullopt, in_quotes(written) + " is not an XML name; expected prefix:Name or Name"};
  }
  if (q.prefix.empty()) return {ExpandedName{"", std::string(q.local)}, {}};
  for (const auto& [prefix, uri] : namespaces) {
    if (prefix == q.prefix) return {ExpandedName{uri, std::string(q.local)}, {}};
  }
  return {std::nullopt, "prefix " + in_quotes(q.prefix) + " is not declared; expected a <namespace prefix=" +
                            in_quotes(q.prefix) + " uri=\"...\"/> in the mapping (" + declared_prefixes(namespaces) +
                            ")"};
}

Path::Compiled Path::compile(std::string_view text, const NamespaceTable& namespaces, Ends ends) {
  Path path;
  path.text_ = std::string(text);
  const auto fail = [&](std::string problem) {
    return Compiled{std::nullopt, std::move(problem)};
  };
  if (text.empty()) return fail("is empty; " + std::string(kExpectedSyntax) + ", or \".\"");
  if (text == ".") return Compiled{std::move(path), {}};

  std::size_t begin = 0;
  std::size_t index = 1;
  while (true) {
    const std::size_t slash = text.find('/', begin);
    const std::string_view step = text.substr(begin, slash == std::string_view::npos ? text.npos : slash - begin);
    const bool last = slash == std::string_view::npos;
    const std::string where = "step " + std::to_string(index) + " ";
    if (step.empty()) return fail(where + "is empty; " + std::string(kExpectedSyntax));
    if (step == "." || step == ".." || step == "*" || step.find_first_of("[]()*|") != std::string_view::npos) {
      return fail(where + in_quotes(step) + " is not supported; " + std::string(kExpectedSyntax));
    }
    if (step[0] == '@') {
      if (ends == Ends::element) {
        return fail(where + in_quotes(step) + " selects an attribute; expected a path to elements");
      }
      if (!last) return fail(where + in_quotes(step) + ": an attribute must be the last step");
      auto name = compile_name(step.substr(1), namespaces);
      if (!name.name) return fail(where + name.problem);
      path.attribute_ = std::move(*name.name);
      break;
    }
    auto name = compile_name(step, namespaces);
    if (!name.name) return fail(where + name.problem);
    path.steps_.push_back(std::move(*name.name));
    if (last) break;
    begin = slash + 1;
    ++index;
  }
  return Compiled{std::move(path), {}};
}

bool Path::Location::found() const noexcept { return element && (attribute || !attribute_expected); }

namespace {

// Depth-first over the path's matches; visit returns true to stop. The
// first step may use the base's index.
template <typename Visit>
bool walk(pugi::xml_node node, const std::vector<ExpandedName>& steps, std::size_t step, Visit& visit,
          const ChildIndex* index = nullptr) {
  if (step == steps.size()) return visit(node);
  if (index != nullptr && index->parent() == node) {
    for (const ChildIndex::Entry& e : index->entries()) {
      if (e.local == steps[step].local && e.uri == steps[step].uri && walk(e.node, steps, step + 1, visit)) return true;
    }
    return false;
  }
  ChildMatcher matcher(node);
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (matcher.matches(child, steps[step]) && walk(child, steps, step + 1, visit)) return true;
  }
  return false;
}

}  // namespace

Path::Location Path::locate(pugi::xml_node base, const ChildIndex* index) const {
  Location first;
  first.attribute_expected = attribute_.has_value();
  auto visit = [&](pugi::xml_node element) {
    if (!attribute_) {
      first.element = element;
      return true;
    }
    pugi::xml_attribute a = find_attribute(element, attribute_->uri, attribute_->local);
    if (!first.element) first.element = element;
    if (a) {
      first.element = element;
      first.attribute = a;
      return true;
    }
    return false;
  };
  walk(base, steps_, 0, visit, index);
  return first;
}

void Path::collect(pugi::xml_node base, std::vector<pugi::xml_node>& out) const {
  auto visit = [&](pugi::xml_node element) {
    out.push_back(element);
    return false;
  };
  walk(base, steps_, 0, visit);
}

std::pair<pugi::xml_node, std::size_t> Path::deepest(pugi::xml_node base, const ChildIndex* index) const {
  pugi::xml_node node = base;
  std::size_t matched = 0;
  while (matched < steps_.size()) {
    pugi::xml_node next;
    if (matched == 0 && index != nullptr && index->parent() == base) {
      for (const ChildIndex::Entry& e : index->entries()) {
        if (e.local == steps_[0].local && e.uri == steps_[0].uri) {
          next = e.node;
          break;
        }
      }
      if (!next) break;
      node = next;
      ++matched;
      continue;
    }
    ChildMatcher matcher(node);
    for (pugi::xml_node child = node.first_child(); child && !next; child = child.next_sibling()) {
      if (matcher.matches(child, steps_[matched])) next = child;
    }
    if (!next) break;
    node = next;
    ++matched;
  }
  return {node, matched};
}

}  // namespace socialdefault::soap
