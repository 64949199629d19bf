#pragma once
// Pure logic of the kubelet: what a container's process is (image profile + command/args), its
// environment, and the files of its projected volumes. No processes, no API calls: the caller
// passes lookups, so that every rule here is unit-tested. Rules and invariants: container_plan.md.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/result.h"

namespace mysqlop::local::kubelet {

// One image profile (localcluster/image-profiles.yaml): which images it stands for and how.
struct ImageProfile {
  std::vector<std::string> images;      // patterns: "busybox", "busybox:*", "*/library/debian:*"
  std::vector<std::string> entrypoint;  // the image's ENTRYPOINT, as host programs
  std::vector<std::string> cmd;         // the image's CMD
  std::vector<std::pair<std::string, std::string>> readOnlyBinds;  // host path -> container path
  std::vector<std::pair<std::string, std::string>> env;            // default environment
  std::string workingDir;                                          // the image's WORKDIR
  // Container paths that get an empty directory of their own (mode 1777) at every start of the
  // container, as the image's writable layer or its VOLUMEs would be: the container's root is
  // the host's, so without this every pod would share the host's /tmp or /run/mysqld. Volume
  // mounts at the same path win, as a volumeMount shadows an image VOLUME.
  std::vector<std::string> scratchDirs;
  // The version of the local program that stands for the image ({name, command}): when the
  // image's tag names another version, the pod gets one Normal event saying which one runs
  // (`image "mariadb:10.6" runs MariaDB 10.11.19 locally`). Empty command: not checked.
  std::string localVersionName;                  // "MariaDB"
  std::vector<std::string> localVersionCommand;  // [mariadbd, --version]
  // Non-empty: the image is known but has no local equivalent (Percona/MySQL servers); the
  // container waits in ImageNotAvailableLocally with this text, which says what to use instead.
  std::string unavailable;
  std::string source;  // "file:line" where it was defined (for messages)
};

// The variables a profile may use as ${name} in entrypoint, cmd, env values, workingDir,
// readOnlyBinds and scratchDirs (container_plan.md, "Image profiles").
struct ProfileVariables {
  // ${binDir}: where the programs shipped with us lie (mysql-operator-local and
  // mysql-operator-sidecar). Empty: the directory of the running executable.
  std::string binDir;
  // ${profileDir} is not set here: it is the directory of each profile's own file.
};

class ImageProfiles {
 public:
  // Loads the files in order; later profiles win for the same image. Errors name file and line.
  // ${binDir} is the directory of the running executable.
  static Result<ImageProfiles> load(const std::vector<std::string>& files);
  static Result<ImageProfiles> load(const std::vector<std::string>& files,
                                    const ProfileVariables& variables);
  // The profile for an image reference ("mysql:8.0", "docker.io/library/busybox:1.36",
  // "x@sha256:.."). The last loaded profile with a matching pattern wins; nullptr when none
  // matches.
  const ImageProfile* find(const std::string& image) const;
  std::string filesForMessage() const;  // "a.yaml, b.yaml"

 private:
  std::vector<ImageProfile> profiles_;
  std::vector<std::string> files_;
};

// "10.11.19" from "mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 ...": the first run of
// digits.digits[.digits...] in a program's version output; "" when there is none.
std::string findVersionNumber(const std::string& text);
// Whether an image tag names a version other than the local one: "10.6" vs "10.11.19" yes,
// "10.11" / "10" / "10.11.19-jammy" no (the tag's components must match the local ones);
// tags that do not start with a number ("latest", "lts") name no version: no.
bool tagNamesOtherVersion(const std::string& tag, const std::string& localVersion);

// The process argv as Kubernetes combines the container's command/args with the image's
// entrypoint/cmd, with $(VAR) references expanded from env ($$ escapes, unknown refs kept).
// Empty when neither the container nor the image gives a command.
std::vector<std::string> resolveArgv(const nlohmann::json& container, const ImageProfile& profile,
                                     const std::map<std::string, std::string>& env);

// Reads the objects that env, envFrom and volumes refer to. nullopt = not found.
struct Lookups {
  std::function<std::optional<nlohmann::json>(const std::string& ns, const std::string& name)>
      configMap;
  std::function<std::optional<nlohmann::json>(const std::string& ns, const std::string& name)>
      secret;

  // What else the kubelet knows when it builds a container (all optional):
  // The node's allocatable (quantity text): the downward API's limits.* of a container that sets
  // no limit (defaultPodLimitsForDownwardAPI). Empty = 0.
  std::string nodeAllocatableCpu;
  std::string nodeAllocatableMemory;
  std::string nodeAllocatableEphemeralStorage;
  // Variables the kubelet adds itself (KUBERNETES_SERVICE_HOST/PORT, Service links): visible to
  // $(VAR) in env values, set unless the container's env/envFrom sets the same name.
  std::map<std::string, std::string> serviceEnv;
  // Warnings the kubelet records as Events on the pod (reason, message), e.g.
  // InvalidEnvironmentVariableNames for envFrom keys that were skipped.
  std::function<void(const std::string& reason, const std::string& message)> warning;
};

// The variables the kubelet derives from Services, to pass as Lookups::serviceEnv: those of
// default/kubernetes always (KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT_HTTPS, ...) and,
// unless the pod sets enableServiceLinks: false, those of every Service with a ClusterIP in the
// pod's namespace (FOO_SERVICE_HOST, FOO_SERVICE_PORT[_NAME], FOO_PORT,
// FOO_PORT_80_TCP[_ADDR|...]).
std::map<std::string, std::string> serviceEnv(const nlohmann::json& pod,
                                              const std::vector<nlohmann::json>& services);

// The container's environment in Kubernetes order: profile defaults, envFrom (prefix), env
// (value with $(VAR) expansion, valueFrom secretKeyRef/configMapKeyRef/fieldRef/resourceFieldRef).
// A missing non-optional reference fails with the message the kubelet gives
// (CreateContainerConfigError: `secret "x" not found`, `couldn't find key k in Secret ns/x`).
// `pod` is the pod as the kubelet will report it: status.podIP(s) and status.hostIP(s) set (the
// fieldRefs status.podIP/hostIP read them) and spec.nodeName bound.
Result<std::map<std::string, std::string>> resolveEnv(const nlohmann::json& pod,
                                                      const nlohmann::json& container,
                                                      const ImageProfile& profile,
                                                      const Lookups& lookups);

// One file of a configMap/secret/downwardAPI/projected/serviceAccountToken volume.
struct ProjectedFile {
  std::string path;  // relative to the volume root
  std::string content;
  int mode = 0644;
};
struct ServiceAccountFiles {
  std::string token;  // used when tokenFor is not set
  std::string caCrt;
  // A token of the pod's ServiceAccount for a serviceAccountToken source (audience "" = the API
  // server's, expirationSeconds): the kubelet asks the API server (TokenRequest) and caches it.
  // A failure's message follows "failed to fetch token: ".
  std::function<Result<std::string>(const std::string& audience, long long expirationSeconds)>
      tokenFor;
};
// The files of a volume source (the pod's spec.volumes[i]); fails like the kubelet when a
// referenced object or key is missing and not optional.
Result<std::vector<ProjectedFile>> projectVolume(const nlohmann::json& volume,
                                                 const nlohmann::json& pod, const Lookups& lookups,
                                                 const ServiceAccountFiles& serviceAccount);
// The volume the ServiceAccount admission plugin adds to a pod (kube-api-access-*): token,
// ca.crt (configMap kube-root-ca.crt; ServiceAccountFiles::caCrt when no such configMap exists)
// and namespace, mode 0644. projectVolume gives its files.
nlohmann::json serviceAccountVolume(const std::string& name);
// The text of the kubelet's FailedMount event for a projectVolume/writeAtomically failure.
std::string mountFailureMessage(const std::string& volumeName, const std::string& error);

// Writes files into dir as the kubelet's AtomicWriter does: a timestamped "..<ts>" directory, a
// "..data" symlink swapped with rename(2), one symlink per top-level entry. Returns true when
// anything changed (false when the content is the same).
// Paths are checked first, with the kubelet's messages: empty, absolute, a ".." element, a first
// element starting with "..", longer than 4096 or an element longer than 255 are refused.
Result<bool> writeAtomically(const std::string& dir, const std::vector<ProjectedFile>& files);

}  // namespace mysqlop::local::kubelet
