// RFC 3986 syntax checks for the pieces an EIP-4361 message carries: its domain, URI and resources.
// Syntax only: nothing is resolved, normalised or compared here.
#pragma once

#include <string_view>

namespace litc::crypto {

// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
bool is_uri_scheme(std::string_view text);

// authority = [ userinfo "@" ] host [ ":" port ]; host is an IP-literal ("[v6]" or "[vF.future]")
// or a reg-name (which also covers dotted IPv4). RFC 3986 allows an empty host; EIP-4361's domain
// does not, so the SIWE parser checks that on top.
bool is_uri_authority(std::string_view text);

// URI = scheme ":" hier-part [ "?" query ] [ "#" fragment ] (an absolute URI, fragment allowed).
bool is_uri(std::string_view text);

// pchar = unreserved / pct-encoded / sub-delims / ":" / "@", every character (EIP-4361 request-id).
bool is_pchars(std::string_view text);

}  // namespace litc::crypto
