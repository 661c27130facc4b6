#include "signature.hpp"

#include <string>
#include <vector>

namespace socialdefault::soap {

namespace {

bool is_id_attribute(pugi::xml_node owner, pugi::xml_attribute a) {
  const std::string_view local = split_name(a.name()).local;
  if (local != "Id" && local != "ID" && local != "id") return false;
  const auto ns = attribute_namespace(owner, a);
  if (!ns) return false;
  return ns->empty() || *ns == kWsuNamespace || (*ns == kXmlNamespace && local == "id");
}

// The element carrying an ID attribute with this value, or an empty handle.
pugi::xml_node find_by_id(pugi::xml_node root, std::string_view id) {
  for (pugi::xml_node n = root; n;) {
    if (n.type() == pugi::node_element) {
      for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
        if (a.value() == id && is_id_attribute(n, a)) return n;
      }
    }
    if (n.first_child()) {
      n = n.first_child();
      continue;
    }
    while (n && n != root && !n.next_sibling()) n = n.parent();
    if (!n || n == root) break;
    n = n.next_sibling();
  }
  return {};
}

bool is_ancestor_or_self(pugi::xml_node ancestor, pugi::xml_node node) {
  for (pugi::xml_node n = node; n; n = n.parent()) {
    if (n == ancestor) return true;
  }
  return false;
}

// "#id" -> "id"; "#xpointer(id('id'))" -> "id"; "#xpointer(/)" -> "" (the
// whole document). nullopt for a reference outside the document.
std::optional<std::string> same_document_target(std::string_view uri) {
  if (uri.empty()) return std::string();
  if (uri.front() != '#') return std::nullopt;
  uri.remove_prefix(1);
  if (uri == "xpointer(/)") return std::string();
  for (std::string_view prefix : {"xpointer(id('", "xpointer(id(\""}) {
    if (uri.substr(0, prefix.size()) == prefix && uri.size() >= prefix.size() + 3) {
      return std::string(uri.substr(prefix.size(), uri.size() - prefix.size() - 3));
    }
  }
  return std::string(uri);
}

}  // namespace

std::optional<Error> signature_covering(const SoapMessage& message, pugi::xml_node target) {
  // Most messages are not signed: without the name anywhere in the bytes
  // there is no ds:Signature element to look for.
  if (message.bytes().find("Signature") == std::string_view::npos) return std::nullopt;
  const pugi::xml_node root = message.root();
  std::vector<pugi::xml_node> signatures;
  for (pugi::xml_node n = root; n;) {
    if (has_name(n, kXmlDsigNamespace, "Signature")) signatures.push_back(n);
    if (n.type() == pugi::node_element && n.first_child() && !has_name(n, kXmlDsigNamespace, "Signature")) {
      n = n.first_child();
      continue;
    }
    while (n && n != root && !n.next_sibling()) n = n.parent();
    if (!n || n == root) break;
    n = n.next_sibling();
  }
  const auto covered = [&](pugi::xml_node signature, const std::string& why) {
    return make_error(ErrorCode::signed_content,
                      "the payload " + message.describe(target) + " is covered by the XML signature " +
                          message.describe(signature) + " (" + why +
                          "); a rewrite would break it, so the message is left unchanged",
                      "byte " + std::to_string(message.source().offset(signature.name()) - 1));
  };
  for (pugi::xml_node signature : signatures) {
    pugi::xml_node signed_info;
    for (pugi::xml_node c = signature.first_child(); c && !signed_info; c = c.next_sibling()) {
      if (has_name(c, kXmlDsigNamespace, "SignedInfo")) signed_info = c;
    }
    for (pugi::xml_node ref = signed_info.first_child(); ref; ref = ref.next_sibling()) {
      if (!has_name(ref, kXmlDsigNamespace, "Reference")) continue;
      const pugi::xml_attribute uri_attribute = ref.attribute("URI");
      if (!uri_attribute) return covered(signature, "a Reference without URI may mean any part of the message");
      const std::string uri = uri_attribute.value();
      const std::optional<std::string> id = same_document_target(uri);
      if (!id) continue;  // an attachment or an external resource
      if (id->empty()) return covered(signature, "Reference URI=\"" + uri + "\" signs the whole document");
      const pugi::xml_node referenced = find_by_id(root, *id);
      if (!referenced) {
        return covered(signature, "Reference URI=\"" + uri + "\" names no element we can find, so it may be the payload");
      }
      if (is_ancestor_or_self(referenced, target) || is_ancestor_or_self(target, referenced)) {
        return covered(signature, "Reference URI=\"" + uri + "\" signs " + message.describe(referenced));
      }
    }
  }
  return std::nullopt;
}

}  // namespace socialdefault::soap
