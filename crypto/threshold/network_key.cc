// Dealing, checking and (de)serialising the network key (see network_key.h).
#include "crypto/threshold/network_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace litc::crypto {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxKeyFileBytes = 1 << 20;

CryptoError bad_network(std::string message) {
  return crypto_error("invalid_argument", "network key: " + std::move(message));
}

// f(i) by Horner's rule, coefficients a_0..a_{T-1}.
Scalar evaluate(const std::vector<Scalar>& coefficients, std::uint32_t index) {
  const Scalar at = scalar_from_u32(index);
  Scalar acc = coefficients.back();
  for (std::size_t j = coefficients.size() - 1; j-- > 0;) {
    acc = scalar_add(scalar_mul(acc, at), coefficients[j]);
  }
  return acc;
}

std::optional<std::uint32_t> as_u32(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (const auto* i = v->if_int64(); i != nullptr && *i >= 0 && *i <= UINT32_MAX) {
    return static_cast<std::uint32_t>(*i);
  }
  if (const auto* u = v->if_uint64(); u != nullptr && *u <= UINT32_MAX) {
    return static_cast<std::uint32_t>(*u);
  }
  return std::nullopt;
}

std::optional<Point> as_point(const json::value* v) {
  if (v == nullptr || !v->is_string()) return std::nullopt;
  const json::string& s = v->get_string();
  return point_from_hex(std::string_view(s.data(), s.size()));
}

Result<std::string> read_bounded(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return crypto_error("invalid_argument", "cannot read " + path);
  std::string data;
  data.resize(kMaxKeyFileBytes + 1);
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<std::size_t>(in.gcount()));
  if (data.size() > kMaxKeyFileBytes) {
    return crypto_error("invalid_argument", path + " is larger than 1 MiB");
  }
  return data;
}

}  // namespace

const Point* NetworkKey::share_public_key(std::uint32_t index) const {
  if (index == 0 || index > share_public_keys.size()) return nullptr;
  return &share_public_keys[index - 1];
}

Result<DealtKey> deal_network_key(std::uint32_t threshold, std::uint32_t shares) {
  if (!sodium_ready()) return crypto_error("internal", "libsodium failed to initialise");
  if (threshold < 2) {
    return crypto_error("invalid_argument",
                        "threshold must be at least 2: with 1, every node could decrypt alone");
  }
  if (threshold > shares) {
    return crypto_error("invalid_argument", "threshold " + std::to_string(threshold) +
                                                " is more than the " + std::to_string(shares) +
                                                " shares");
  }
  if (shares > kMaxShares) {
    return crypto_error("invalid_argument",
                        "at most " + std::to_string(kMaxShares) + " shares are supported");
  }
  for (;;) {
    std::vector<Scalar> coefficients(threshold);
    for (Scalar& a : coefficients) a = random_scalar();  // never 0, so no C_j is the identity
    DealtKey dealt;
    bool zero_share = false;
    for (std::uint32_t i = 1; i <= shares && !zero_share; ++i) {
      KeyShare share{i, evaluate(coefficients, i)};
      zero_share = scalar_is_zero(share.secret);
      dealt.shares.push_back(share);
    }
    if (zero_share) continue;  // x_i = 0 would make X_i the identity: draw again
    NetworkKey& key = dealt.network;
    key.threshold = threshold;
    key.shares = shares;
    for (const Scalar& a : coefficients) {
      auto c = mul_base(a);
      if (!c) return crypto_error("internal", "a commitment is the identity");
      key.commitments.push_back(*c);
    }
    key.public_key = key.commitments.front();
    for (const KeyShare& share : dealt.shares) {
      auto x = mul_base(share.secret);
      if (!x) return crypto_error("internal", "a share public key is the identity");
      key.share_public_keys.push_back(*x);
    }
    return dealt;
  }
}

std::optional<Point> expected_share_public_key(const NetworkKey& key, std::uint32_t index) {
  if (index == 0 || key.commitments.empty()) return std::nullopt;
  const Scalar at = scalar_from_u32(index);
  Scalar power = scalar_from_u32(1);
  std::optional<Point> sum;
  for (const Point& c : key.commitments) {
    auto term = mul(power, c);
    if (!term) return std::nullopt;
    if (!sum) {
      sum = term;
    } else {
      sum = add(*sum, *term);
      if (!sum) return std::nullopt;
    }
    power = scalar_mul(power, at);
  }
  return sum;
}

Result<bool> verify_key_share(const NetworkKey& key, const KeyShare& share) {
  const Point* advertised = key.share_public_key(share.index);
  if (advertised == nullptr) {
    return crypto_error("invalid_key_share", "share index " + std::to_string(share.index) +
                                                 " is not in 1.." + std::to_string(key.shares));
  }
  auto mine = mul_base(share.secret);
  auto expected = expected_share_public_key(key, share.index);
  if (!mine || !expected || !(*mine == *expected) || !(*mine == *advertised)) {
    return crypto_error("invalid_key_share",
                        "share " + std::to_string(share.index) +
                            " does not match the network key's commitments (wrong network.json "
                            "or a damaged share file)");
  }
  return true;
}

std::string network_key_fingerprint(const NetworkKey& key) {
  crypto_generichash_state state;
  unsigned char digest[32];
  crypto_generichash_init(&state, nullptr, 0, sizeof digest);
  auto feed = [&](std::string_view bytes) {
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(bytes.data()),
                              bytes.size());
  };
  feed("litc/network-key/v1");
  const auto t = u32_le(key.threshold);
  const auto n = u32_le(key.shares);
  feed(std::string_view(t.data(), t.size()));
  feed(std::string_view(n.data(), n.size()));
  feed(key.public_key.view());
  for (const Point& x : key.share_public_keys) feed(x.view());
  for (const Point& c : key.commitments) feed(c.view());
  crypto_generichash_final(&state, digest, sizeof digest);
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string prove_share_possession(const NetworkKey& key, const KeyShare& share,
                                   std::string_view node_id) {
  const Point* x = key.share_public_key(share.index);
  if (x == nullptr) return {};
  const auto i = u32_le(share.index);
  for (;;) {
    const Scalar k = random_scalar();
    auto r = mul_base(k);
    if (!r) continue;
    const Scalar c = hash_to_scalar(
        "litc/share-pop/v1", {std::string_view(i.data(), i.size()), x->view(), node_id, r->view()});
    const Scalar z = scalar_add(k, scalar_mul(c, share.secret));
    return std::string(r->view()) + std::string(z.view());
  }
}

bool verify_share_possession(const NetworkKey& key, std::uint32_t index, std::string_view node_id,
                             std::string_view proof) {
  const Point* x = key.share_public_key(index);
  if (x == nullptr || proof.size() != kPointBytes + kScalarBytes) return false;
  auto r = decode_point(proof.substr(0, kPointBytes));
  auto z = decode_scalar(proof.substr(kPointBytes));
  if (!r || !z) return false;
  const auto i = u32_le(index);
  const Scalar c = hash_to_scalar(
      "litc/share-pop/v1", {std::string_view(i.data(), i.size()), x->view(), node_id, r->view()});
  auto lhs = mul_base(*z);
  auto cx = mul(c, *x);
  if (!lhs || !cx) return false;
  auto rhs = add(*r, *cx);
  return rhs && *lhs == *rhs;
}

std::string network_key_to_json(const NetworkKey& key) {
  json::object shares;
  for (std::uint32_t i = 1; i <= key.share_public_keys.size(); ++i) {
    shares[std::to_string(i)] = to_hex(key.share_public_keys[i - 1]);
  }
  json::array commitments;
  for (const Point& c : key.commitments) commitments.emplace_back(to_hex(c));
  json::object root;
  root["version"] = 1;
  root["threshold"] = key.threshold;
  root["shares"] = key.shares;
  root["publicKey"] = to_hex(key.public_key);
  root["sharePublicKeys"] = std::move(shares);
  root["commitments"] = std::move(commitments);
  return json::serialize(root) + "\n";
}

Result<NetworkKey> network_key_from_json(std::string_view text) {
  if (!sodium_ready()) return crypto_error("internal", "libsodium failed to initialise");
  json::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) return bad_network("not JSON (" + ec.message() + ")");
  const json::object* root = doc.if_object();
  if (root == nullptr) return bad_network("not a JSON object");
  if (as_u32(*root, "version") != 1u) return bad_network("version must be 1");
  auto t = as_u32(*root, "threshold");
  auto n = as_u32(*root, "shares");
  if (!t || !n || *t < 2 || *t > *n || *n > kMaxShares) {
    return bad_network("threshold and shares must be integers with 2 <= threshold <= shares <= " +
                       std::to_string(kMaxShares));
  }
  NetworkKey key;
  key.threshold = *t;
  key.shares = *n;
  auto p = as_point(root->if_contains("publicKey"));
  if (!p) return bad_network("publicKey is not a valid non-identity ristretto255 point in hex");
  key.public_key = *p;
  const json::value* cs = root->if_contains("commitments");
  if (cs == nullptr || !cs->is_array() || cs->get_array().size() != key.threshold) {
    return bad_network("commitments must be an array of threshold points");
  }
  for (const json::value& c : cs->get_array()) {
    auto point = as_point(&c);
    if (!point) return bad_network("a commitment is not a valid non-identity point");
    key.commitments.push_back(*point);
  }
  if (!(key.commitments.front() == key.public_key)) {
    return bad_network("commitments[0] is not publicKey");
  }
  const json::value* xs = root->if_contains("sharePublicKeys");
  if (xs == nullptr || !xs->is_object() || xs->get_object().size() != key.shares) {
    return bad_network("sharePublicKeys must be an object with one key per share, \"1\"..\"N\"");
  }
  for (std::uint32_t i = 1; i <= key.shares; ++i) {
    auto x = as_point(xs->get_object().if_contains(std::to_string(i)));
    if (!x) return bad_network("sharePublicKeys[\"" + std::to_string(i) + "\"] is missing/invalid");
    auto expected = expected_share_public_key(key, i);
    if (!expected || !(*expected == *x)) {
      return bad_network("sharePublicKeys[\"" + std::to_string(i) +
                         "\"] does not match the commitments");
    }
    key.share_public_keys.push_back(*x);
  }
  return key;
}

std::string key_share_to_json(const KeyShare& share) {
  // Built by hand so the secret hex never sits in a json::value that outlives this call.
  std::string hex = to_hex(share.secret);
  std::string out =
      "{\"version\":1,\"index\":" + std::to_string(share.index) + ",\"secret\":\"" + hex + "\"}\n";
  sodium_memzero(hex.data(), hex.size());
  return out;
}

Result<KeyShare> key_share_from_json(std::string_view text) {
  json::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) return crypto_error("invalid_key_share", "key share: not JSON");
  const json::object* root = doc.if_object();
  if (root == nullptr || as_u32(*root, "version") != 1u) {
    return crypto_error("invalid_key_share", "key share: not a version 1 key share object");
  }
  auto index = as_u32(*root, "index");
  if (!index || *index == 0 || *index > kMaxShares) {
    return crypto_error("invalid_key_share",
                        "key share: index must be an integer in 1.." + std::to_string(kMaxShares));
  }
  const json::value* secret = root->if_contains("secret");
  std::optional<Scalar> x;
  if (secret != nullptr && secret->is_string()) {
    const json::string& s = secret->get_string();
    x = scalar_from_hex(std::string_view(s.data(), s.size()));
  }
  if (!x || scalar_is_zero(*x)) {
    return crypto_error("invalid_key_share",
                        "key share: secret must be 64 hex digits of a canonical non-zero scalar");
  }
  return KeyShare{*index, *x};
}

Result<NetworkKey> load_network_key(const std::string& path) {
  auto text = read_bounded(path);
  if (!text) return text.error();
  auto key = network_key_from_json(text.value());
  if (!key) return crypto_error(key.error().code, path + ": " + key.error().message);
  return key;
}

Result<KeyShare> load_key_share(const std::string& path) {
  auto text = read_bounded(path);
  if (!text) return text.error();
  auto share = key_share_from_json(text.value());
  sodium_memzero(text.value().data(), text.value().size());
  if (!share) return crypto_error(share.error().code, path + ": " + share.error().message);
  return share;
}

Result<bool> write_new_file(const std::string& path, std::string_view contents, unsigned mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return crypto_error("invalid_argument", "cannot create " + path + ": " + std::strerror(errno));
  }
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      return crypto_error("invalid_argument", "cannot write " + path + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  // fchmod: the umask must not widen it. The descriptor is closed whatever fchmod answered.
  const bool chmod_ok = ::fchmod(fd, mode) == 0;
  const int chmod_errno = errno;
  if (::close(fd) != 0 || !chmod_ok) {
    return crypto_error("invalid_argument", "cannot finish " + path + ": " +
                                                std::strerror(chmod_ok ? errno : chmod_errno));
  }
  return true;
}

}  // namespace litc::crypto
