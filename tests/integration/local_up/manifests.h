#pragma once
// Manifests of the end-to-end tests: small servers made of host programs (python3, sh) under the
// shipped generic image profiles.

#include <string>

namespace mysqlop::testing::manifests {

// Namespace `web`, headless Service `web` and ClusterIP Service `front` (port 80 -> 8080) over a
// StatefulSet `web` of `replicas` python http.server pods with a readiness probe and a 1Mi PVC
// `data` mounted at /data, to which every start appends a line.
inline std::string webStatefulSet(int replicas) {
  return R"(apiVersion: v1
kind: Namespace
metadata: {name: web}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: web}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: front, namespace: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: web}
spec:
  serviceName: web
  replicas: )" +
         std::to_string(replicas) +
         R"(
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: http
        image: debian:12
        command: [sh, -c, 'echo "$(hostname) started" >> /data/boots; cd /data && exec python3 -m http.server 8080']
        ports: [{name: http, containerPort: 8080}]
        readinessProbe:
          httpGet: {path: /boots, port: http}
          periodSeconds: 1
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Mi}}
)";
}

// A Job in `web` whose pod fetches /boots through each name in `targets` ("host:port") and
// succeeds only if every fetch works.
inline std::string fetchJob(const std::string& name, const std::string& targets) {
  return R"(apiVersion: batch/v1
kind: Job
metadata: {name: )" +
         name + R"(, namespace: web}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: fetch
        image: debian:12
        command:
        - python3
        - -c
        - |
          import sys, urllib.request
          for target in sys.argv[1].split():
              body = urllib.request.urlopen("http://" + target + "/boots", timeout=5).read()
              print(target, "->", body.decode().strip().replace("\n", "; "))
        - ")" +
         targets +
         R"("
)";
}

}  // namespace mysqlop::testing::manifests
