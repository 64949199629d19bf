// pods/log: GET .../pods/NAME/log (kube-apiserver's LogREST, pkg/registry/core/pod/rest/log.go):
// the query as PodLogOptions (parsed as the parameter codec does, checked as
// ValidatePodLogOptions), the pod and container checks of pod_stream_target.h, then the node's
// text streamed as text/plain. Errors before the first byte are Status answers.

#include "localcluster/apiserver/api_server.h"
#include "localcluster/apiserver/pod_stream_target.h"
#include "localcluster/apiserver/pod_streams.h"
#include "localcluster/apiserver/query_params.h"

namespace mysqlop::local {

using nlohmann::json;

namespace {

// metav1.Time's query form: RFC 3339 at second precision as kubectl sends it ("" = unset).
std::optional<std::string> logQueryTime(const ApiRequest& req, const std::string& key) {
  auto it = req.query.find(key);
  if (it == req.query.end() || it->second.empty() || it->second == "null") {
    return std::nullopt;
  }
  const std::string& s = it->second;
  // 2006-01-02T15:04:05Z07:00 in shape: the node parses it fully.
  const bool shape =
      s.size() >= 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':';
  if (!shape) {
    raise(errBadRequest("parsing time \"" + s +
                        "\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"" + s +
                        "\" as \"2006\""));
  }
  return s;
}

PodLogOptions parsePodLogOptions(const ApiRequest& req, const std::string& podName) {
  PodLogOptions o;
  o.container = req.param("container");
  o.follow = queryFlag(req, "follow");
  o.previous = queryFlag(req, "previous");
  o.timestamps = queryFlag(req, "timestamps");
  o.tailLines = queryInt64(req, "tailLines");
  o.limitBytes = queryInt64(req, "limitBytes");
  o.sinceSeconds = queryInt64(req, "sinceSeconds");
  o.sinceTime = logQueryTime(req, "sinceTime");
  // ValidatePodLogOptions (pkg/apis/core/validation).
  std::vector<FieldError> errs;
  if (o.tailLines && *o.tailLines < 0) {
    errs.push_back(fieldInvalid("tailLines", *o.tailLines, "must be greater than or equal to 0"));
  }
  if (o.limitBytes && *o.limitBytes < 1) {
    errs.push_back(fieldInvalid("limitBytes", *o.limitBytes, "must be greater than 0"));
  }
  bool bothSince = false;
  if (o.sinceSeconds && o.sinceTime) {
    bothSince = true;
    errs.push_back(
        fieldForbidden("", "at most one of `sinceTime` or `sinceSeconds` may be specified"));
  } else if (o.sinceSeconds && *o.sinceSeconds < 1) {
    errs.push_back(fieldInvalid("sinceSeconds", *o.sinceSeconds, "must be greater than 0"));
  }
  if (!errs.empty()) {
    ApiError e = errInvalid("PodLogOptions", "", podName, errs);
    if (bothSince) {
      // field.NewPath("") prints as "", and field.Error as "<path>: <detail>": ": Forbidden".
      const std::string forbidden = "Forbidden: at most one";
      auto at = e.message.find(forbidden);
      if (at != std::string::npos) {
        e.message.insert(at, ": ");
      }
    }
    raise(e);
  }
  return o;
}

// Log text to the HTTP stream: the first write sends 200 text/plain (chunked); without a stream
// (the in-process transport's plain requests) the text is collected into the response.
class LogTextSink final : public TextSink {
 public:
  LogTextSink(WatchStream* stream, ApiResponse& resp) : stream_(stream), resp_(resp) {}

  bool write(std::string_view text) override {
    if (stream_ == nullptr) {
      resp_.body.append(text);
      return true;
    }
    if (!begun_) {
      begun_ = true;
      stream_->setContentType("text/plain");
      if (!stream_->begin(200)) {
        return false;
      }
    }
    return text.empty() || stream_->send(std::string(text));
  }

  bool clientGone() override { return stream_ != nullptr && stream_->clientGone(); }
  bool begun() const { return begun_; }

 private:
  WatchStream* stream_;
  ApiResponse& resp_;
  bool begun_ = false;
};

}  // namespace

void ApiServer::podLog(const Target& t, const ApiRequest& req, ApiResponse& resp,
                       WatchStream* stream) {
  if (req.method != "GET") {
    raise(errMethodNotAllowed());
  }
  PodLogOptions options = parsePodLogOptions(req, t.name);
  json pod = podForStream(store_, t.ns, t.name);
  options.container = containerForStream(pod, options.container);
  resp.code = 200;
  resp.contentType = "text/plain";
  resp.body.clear();
  if (!podHasNode(pod, PodStreamKind::Log)) {
    return;  // kube-apiserver answers an unscheduled pod's log with nothing
  }
  PodStreams* node = podStreams();
  if (node == nullptr) {
    raise(errGeneric(
        503, "ServiceUnavailable",
        "no node serves the logs of pod \"" + t.name + "\" (the kubelet is not running)"));
  }
  if (options.follow && stream == nullptr) {
    raise(errBadRequest("follow is not supported on this connection"));
  }
  LogTextSink sink(stream, resp);
  auto r = node->logs(pod, options, sink);
  if (sink.begun()) {
    resp.streamed = true;
    return;  // errors after the first byte end the stream, as a broken kubelet stream does
  }
  if (!r.ok()) {
    // kube-apiserver relays the kubelet's 400 as BadRequest with the kubelet's text.
    if (r.is(Errc::Unavailable)) {
      raise(errGeneric(503, "ServiceUnavailable", r.error().message));
    }
    if (r.is(Errc::Invalid) || r.is(Errc::NotFound)) {
      raise(errBadRequest(r.error().message));
    }
    raise(errInternal(r.error().message));
  }
}

}  // namespace mysqlop::local
