#include "localcluster/apiserver/protobuf_body.h"

#include <cstdint>
#include <string_view>

#include "localcluster/apiserver/api_error.h"

namespace mysqlop::local {

using nlohmann::json;

namespace {

constexpr std::string_view kMagic{"k8s\0", 4};

[[noreturn]] void malformed(const std::string& why) {
  raise(errBadRequest("the body of the request could not be decoded as protobuf: " + why));
}

// One protobuf field: its number, wire type and value (varint or length-delimited bytes).
struct Field {
  std::uint32_t number = 0;
  int wireType = 0;
  std::uint64_t varint = 0;
  std::string_view bytes;
};

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool done() const { return pos_ >= data_.size(); }

  Field next() {
    Field f;
    const std::uint64_t key = varint();
    f.number = static_cast<std::uint32_t>(key >> 3);
    f.wireType = static_cast<int>(key & 7);
    switch (f.wireType) {
      case 0: f.varint = varint(); break;
      case 1: skip(8); break;
      case 2: {
        const std::uint64_t len = varint();
        if (len > data_.size() - pos_) {
          malformed("a field runs past the end of its message");
        }
        f.bytes = data_.substr(pos_, static_cast<std::size_t>(len));
        pos_ += static_cast<std::size_t>(len);
        break;
      }
      case 5: skip(4); break;
      default: malformed("unsupported wire type " + std::to_string(f.wireType));
    }
    return f;
  }

 private:
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) {
        malformed("a varint runs past the end of its message");
      }
      const auto b = static_cast<std::uint8_t>(data_[pos_++]);
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    malformed("a varint is longer than 10 bytes");
  }
  void skip(std::size_t n) {
    if (n > data_.size() - pos_) {
      malformed("a field runs past the end of its message");
    }
    pos_ += n;
  }

  std::string_view data_;
  std::size_t pos_ = 0;
};

std::string str(std::string_view b) { return std::string(b); }

// A map<string, string|bytes> entry: key 1, value 2.
std::pair<std::string, std::string> mapEntry(std::string_view entry) {
  std::pair<std::string, std::string> kv;
  for (Reader r(entry); !r.done();) {
    Field f = r.next();
    if (f.number == 1 && f.wireType == 2) {
      kv.first = str(f.bytes);
    } else if (f.number == 2 && f.wireType == 2) {
      kv.second = str(f.bytes);
    }
  }
  return kv;
}

std::string base64(const std::string& in) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  auto byte = [&](std::size_t i) -> std::uint32_t {
    return i < in.size() ? static_cast<std::uint32_t>(static_cast<std::uint8_t>(in[i])) : 0U;
  };
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < in.size(); i += 3) {
    const std::uint32_t n = (byte(i) << 16U) | (byte(i + 1) << 8U) | byte(i + 2);
    out += kTable[(n >> 18U) & 63U];
    out += kTable[(n >> 12U) & 63U];
    out += i + 1 < in.size() ? kTable[(n >> 6U) & 63U] : '=';
    out += i + 2 < in.size() ? kTable[n & 63U] : '=';
  }
  return out;
}

// k8s.io.apimachinery.pkg.apis.meta.v1.OwnerReference.
json ownerReference(std::string_view msg) {
  json o = json::object();
  for (Reader r(msg); !r.done();) {
    Field f = r.next();
    switch (f.number) {
      case 1: o["kind"] = str(f.bytes); break;
      case 3: o["name"] = str(f.bytes); break;
      case 4: o["uid"] = str(f.bytes); break;
      case 5: o["apiVersion"] = str(f.bytes); break;
      case 6: o["controller"] = f.varint != 0; break;
      case 7: o["blockOwnerDeletion"] = f.varint != 0; break;
      default: break;
    }
  }
  return o;
}

// k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta: what a client sets on a create or update.
// Server-owned fields (selfLink, creationTimestamp, managedFields...) are left to the server.
json objectMeta(std::string_view msg) {
  json m = json::object();
  for (Reader r(msg); !r.done();) {
    Field f = r.next();
    switch (f.number) {
      case 1: m["name"] = str(f.bytes); break;
      case 2: m["generateName"] = str(f.bytes); break;
      case 3: m["namespace"] = str(f.bytes); break;
      case 5: m["uid"] = str(f.bytes); break;
      case 6: m["resourceVersion"] = str(f.bytes); break;
      case 11:
      case 12: {
        auto [k, v] = mapEntry(f.bytes);
        m[f.number == 11 ? "labels" : "annotations"][k] = v;
        break;
      }
      case 13: m["ownerReferences"].push_back(ownerReference(f.bytes)); break;
      case 14: m["finalizers"].push_back(str(f.bytes)); break;
      default: break;
    }
  }
  // Empty strings are what Go's zero values look like on the wire: leave them out.
  for (const char* key : {"name", "generateName", "namespace", "uid", "resourceVersion"}) {
    if (m.contains(key) && m[key] == "") {
      m.erase(key);
    }
  }
  return m;
}

// k8s.io.api.core.v1.Secret: metadata 1, data 2 (bytes), type 3, stringData 4, immutable 5.
json secret(std::string_view raw) {
  json s = {{"apiVersion", "v1"}, {"kind", "Secret"}};
  for (Reader r(raw); !r.done();) {
    Field f = r.next();
    switch (f.number) {
      case 1: s["metadata"] = objectMeta(f.bytes); break;
      case 2: {
        auto [k, v] = mapEntry(f.bytes);
        s["data"][k] = base64(v);
        break;
      }
      case 3: s["type"] = str(f.bytes); break;
      case 4: {
        auto [k, v] = mapEntry(f.bytes);
        s["stringData"][k] = v;
        break;
      }
      case 5: s["immutable"] = f.varint != 0; break;
      default: break;
    }
  }
  return s;
}

// k8s.io.api.core.v1.ConfigMap: metadata 1, data 2, binaryData 3 (bytes), immutable 4.
json configMap(std::string_view raw) {
  json c = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}};
  for (Reader r(raw); !r.done();) {
    Field f = r.next();
    switch (f.number) {
      case 1: c["metadata"] = objectMeta(f.bytes); break;
      case 2: {
        auto [k, v] = mapEntry(f.bytes);
        c["data"][k] = v;
        break;
      }
      case 3: {
        auto [k, v] = mapEntry(f.bytes);
        c["binaryData"][k] = base64(v);
        break;
      }
      case 4: c["immutable"] = f.varint != 0; break;
      default: break;
    }
  }
  return c;
}

// k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions (the body of a typed client's DELETE):
// gracePeriodSeconds 1, preconditions 2 {uid 1, resourceVersion 2}, orphanDependents 3,
// propagationPolicy 4, dryRun 5.
json deleteOptions(std::string_view raw, const std::string& apiVersion) {
  json d = {{"apiVersion", apiVersion}, {"kind", "DeleteOptions"}};
  for (Reader r(raw); !r.done();) {
    Field f = r.next();
    switch (f.number) {
      case 1: d["gracePeriodSeconds"] = static_cast<std::int64_t>(f.varint); break;
      case 2:
        for (Reader p(f.bytes); !p.done();) {
          Field pf = p.next();
          if (pf.number == 1) {
            d["preconditions"]["uid"] = str(pf.bytes);
          } else if (pf.number == 2) {
            d["preconditions"]["resourceVersion"] = str(pf.bytes);
          }
        }
        break;
      case 3: d["orphanDependents"] = f.varint != 0; break;
      case 4: d["propagationPolicy"] = str(f.bytes); break;
      case 5: d["dryRun"].push_back(str(f.bytes)); break;
      default: break;
    }
  }
  return d;
}

}  // namespace

bool isProtobufBody(const std::string& body) {
  return std::string_view(body).substr(0, kMagic.size()) == kMagic;
}

json decodeProtobufBody(const std::string& body) {
  // runtime.Unknown: typeMeta 1 {apiVersion 1, kind 2}, raw 2, contentEncoding 3, contentType 4.
  std::string apiVersion;
  std::string kind;
  std::string_view raw;
  for (Reader r(std::string_view(body).substr(kMagic.size())); !r.done();) {
    Field f = r.next();
    if (f.number == 1 && f.wireType == 2) {
      for (Reader t(f.bytes); !t.done();) {
        Field tf = t.next();
        if (tf.number == 1) {
          apiVersion = str(tf.bytes);
        } else if (tf.number == 2) {
          kind = str(tf.bytes);
        }
      }
    } else if (f.number == 2 && f.wireType == 2) {
      raw = f.bytes;
    } else if (f.number == 3 && f.wireType == 2 && !f.bytes.empty()) {
      raise(errUnsupportedMediaType("the body of the request has content encoding \"" +
                                    str(f.bytes) + "\", which this server does not decode"));
    }
  }
  if (apiVersion == "v1" && kind == "Secret") {
    return secret(raw);
  }
  if (apiVersion == "v1" && kind == "ConfigMap") {
    return configMap(raw);
  }
  if ((apiVersion == "v1" || apiVersion == "meta.k8s.io/v1") && kind == "DeleteOptions") {
    return deleteOptions(raw, apiVersion);
  }
  raise(errUnsupportedMediaType(
      "the body of the request was in protobuf for " + (apiVersion.empty() ? "?" : apiVersion) +
      " " + (kind.empty() ? "?" : kind) +
      ", which this server decodes only for v1 Secret, ConfigMap and DeleteOptions: send "
      "application/json"));
}

}  // namespace mysqlop::local
