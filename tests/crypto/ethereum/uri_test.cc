// RFC 3986 syntax checks used by the SIWE parser: URIs, authorities, schemes, pchar.
#include "crypto/ethereum/uri.h"

#include <gtest/gtest.h>

namespace litc::crypto {
namespace {

TEST(Uri, AcceptsAbsoluteUris) {
  const char* const good[] = {
      "https://example.com/login",
      "https://example.com",
      "http://localhost:3000",
      "http://localhost:3000/",
      "https://user:pw@example.com:8443/a/b?q=1&r=%20#frag/x?y",
      "lit-accesscontrolcondition://*",
      "lit-accesscontrolcondition://5a3f2e",
      "ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/",
      "urn:recap:eyJhdHQiOnt9LCJwcmYiOltdfQ==",
      "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
      "mailto:someone@example.com",
      "file:///etc/hosts",  // empty authority
      "https://[::1]:8080/",
      "https://[2001:db8::7]/c=GB?objectClass?one",
      "https://[::ffff:192.0.2.128]/",
      "https://[1:2:3:4:5:6:7:8]/",
      "https://[v7.fe80::a+en1]/",
      "https://192.0.2.16:80/",
      "a:",
      "a+b-c.d:path",
  };
  for (const char* uri : good) EXPECT_TRUE(is_uri(uri)) << uri;
}

TEST(Uri, RefusesWhatIsNotAnAbsoluteUri) {
  const char* const bad[] = {
      "",
      "example.com/login",         // no scheme
      "/relative",                 // no scheme
      ":nothing",                  // empty scheme
      "1http://example.com",       // scheme starts with a digit
      "ht tp://example.com",       // space in scheme
      "https://exa mple.com",      // space in host
      "https://example.com/a b",   // space in path
      "https://example.com/%zz",   // bad escape
      "https://example.com/%4",    // short escape
      "https://example.com:80a/",  // non-digit port
      "https://[::1/",             // unclosed literal
      "https://[1:2:3:4:5:6:7:8:9]/",
      "https://[1::2::3]/",
      "https://[12345::]/",
      "https://[::256.1.1.1]/",
      "https://[::1]x/",
      "https://ex\"ample.com/",
      "https://example.com/<script>",
      "https://example.com/#a#b",
      "https://a@b@c/",
  };
  for (const char* uri : bad) EXPECT_FALSE(is_uri(uri)) << uri;
}

TEST(Uri, AuthoritiesForTheSiweDomain) {
  EXPECT_TRUE(is_uri_authority("example.com"));
  EXPECT_TRUE(is_uri_authority("example.com:3388"));
  EXPECT_TRUE(is_uri_authority("user@example.com"));
  EXPECT_TRUE(is_uri_authority("[::1]:3000"));
  EXPECT_TRUE(is_uri_authority("1.1.1.256"));  // not an IPv4 address, but a valid reg-name
  EXPECT_FALSE(is_uri_authority("example.com/path"));
  EXPECT_FALSE(is_uri_authority("exa mple.com"));
  EXPECT_FALSE(is_uri_authority("example.com:port"));
  EXPECT_FALSE(is_uri_authority("[example.com]"));
}

TEST(Uri, SchemesAndPchars) {
  EXPECT_TRUE(is_uri_scheme("https"));
  EXPECT_TRUE(is_uri_scheme("a1+-."));
  EXPECT_FALSE(is_uri_scheme(""));
  EXPECT_FALSE(is_uri_scheme("-a"));
  EXPECT_TRUE(is_pchars(""));
  EXPECT_TRUE(is_pchars("abc-123_~.!$&'()*+,;=:@%41"));
  EXPECT_FALSE(is_pchars("a b"));
  EXPECT_FALSE(is_pchars("a/b"));
  EXPECT_FALSE(is_pchars("a?b"));
}

}  // namespace
}  // namespace litc::crypto
