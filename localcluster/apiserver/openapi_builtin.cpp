// The OpenAPI v3 schemas of the built-in kinds, enough for `kubectl explain` on the objects the
// operator and its users write (pods, services, statefulsets, jobs, configmaps, secrets, leases,
// events, ...). A compact table: each definition's fields as (name, type, description), turned
// into kube-openapi's form ($ref inside allOf, x-kubernetes-group-version-kind on the kinds,
// patch and list extensions on keyed lists). Fields are a subset of Kubernetes 1.30's, with their
// meaning; what is not here is still served (the table only documents).
#include "localcluster/apiserver/openapi.h"

#include <map>
#include <vector>

namespace mysqlop::local {

using nlohmann::json;

namespace {

struct Field {
  const char* name;
  const char* type;  // string integer boolean number object map quantity intorstring time
                     // []T, map[T], or a definition name (core.PodSpec); "[]core.X@key": keyed
  const char* doc;
};

struct Definition {
  const char* name;  // core.PodSpec, meta.ObjectMeta, apps.StatefulSetSpec...
  const char* doc;
  std::vector<Field> fields;
  std::vector<const char*> required;
};

// clang-format off
const std::vector<Definition>& definitions() {
  static const std::vector<Definition> defs = {
  {"meta.ObjectMeta", "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.", {
    {"name", "string", "Name must be unique within a namespace. Cannot be updated."},
    {"generateName", "string", "GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided."},
    {"namespace", "string", "Namespace defines the space within which each name must be unique. An empty namespace is equivalent to the \"default\" namespace."},
    {"uid", "string", "UID is the unique in time and space value for this object. Populated by the system. Read-only."},
    {"selfLink", "string", "Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."},
    {"resourceVersion", "string", "An opaque value that represents the internal version of this object, used for optimistic concurrency and watches. Read-only."},
    {"generation", "integer", "A sequence number representing a specific generation of the desired state. Populated by the system. Read-only."},
    {"creationTimestamp", "time", "CreationTimestamp is a timestamp representing the server time when this object was created. Read-only."},
    {"deletionTimestamp", "time", "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. Set by the server when a graceful deletion is requested. Read-only."},
    {"deletionGracePeriodSeconds", "integer", "Number of seconds allowed for this object to gracefully terminate before it will be removed from the system."},
    {"labels", "map", "Map of string keys and values that can be used to organize and categorize (scope and select) objects."},
    {"annotations", "map", "Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata."},
    {"ownerReferences", "[]meta.OwnerReference@uid", "List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected."},
    {"finalizers", "[]string", "Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list."},
    {"managedFields", "[]meta.ManagedFieldsEntry", "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow."}}, {}},
  {"meta.OwnerReference", "OwnerReference contains enough information to let you identify an owning object.", {
    {"apiVersion", "string", "API version of the referent."},
    {"kind", "string", "Kind of the referent."},
    {"name", "string", "Name of the referent."},
    {"uid", "string", "UID of the referent."},
    {"controller", "boolean", "If true, this reference points to the managing controller."},
    {"blockOwnerDeletion", "boolean", "If true, AND if the owner has the \"foregroundDeletion\" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed."}},
   {"apiVersion", "kind", "name", "uid"}},
  {"meta.ManagedFieldsEntry", "ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.", {
    {"manager", "string", "Manager is an identifier of the workflow managing these fields."},
    {"operation", "string", "Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'."},
    {"apiVersion", "string", "APIVersion defines the version of this resource that this field set applies to."},
    {"time", "time", "Time is the timestamp of when the ManagedFields entry was added."},
    {"fieldsType", "string", "FieldsType is the discriminator for the different fields format and version. There is currently only one possible value: \"FieldsV1\""},
    {"fieldsV1", "object", "FieldsV1 holds the first JSON version format as described in the \"FieldsV1\" type."},
    {"subresource", "string", "Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource."}}, {}},
  {"meta.LabelSelector", "A label selector is a label query over a set of resources. An empty label selector matches all objects. A null label selector matches no objects.", {
    {"matchLabels", "map", "matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent to an element of matchExpressions."},
    {"matchExpressions", "[]meta.LabelSelectorRequirement", "matchExpressions is a list of label selector requirements. The requirements are ANDed."}}, {}},
  {"meta.LabelSelectorRequirement", "A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.", {
    {"key", "string", "key is the label key that the selector applies to."},
    {"operator", "string", "operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist."},
    {"values", "[]string", "values is an array of string values. If the operator is In or NotIn, the values array must be non-empty."}},
   {"key", "operator"}},
  {"core.Pod", "Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.", {
    {"apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object."},
    {"kind", "string", "Kind is a string value representing the REST resource this object represents."},
    {"metadata", "meta.ObjectMeta", "Standard object's metadata."},
    {"spec", "core.PodSpec", "Specification of the desired behavior of the pod."},
    {"status", "core.PodStatus", "Most recently observed status of the pod. This data may not be up to date. Populated by the system. Read-only."}}, {}},
  {"core.PodSpec", "PodSpec is a description of a pod.", {
    {"containers", "[]core.Container@name", "List of containers belonging to the pod. Containers cannot currently be added or removed. There must be at least one container in a Pod. Cannot be updated."},
    {"initContainers", "[]core.Container@name", "List of initialization containers belonging to the pod. Init containers are executed in order prior to containers being started."},
    {"volumes", "[]core.Volume@name", "List of volumes that can be mounted by containers belonging to the pod."},
    {"restartPolicy", "string", "Restart policy for all containers within the pod. One of Always, OnFailure, Never. Default to Always."},
    {"terminationGracePeriodSeconds", "integer", "Optional duration in seconds the pod needs to terminate gracefully. Defaults to 30 seconds."},
    {"activeDeadlineSeconds", "integer", "Optional duration in seconds the pod may be active on the node relative to StartTime before the system will actively try to mark it failed and kill associated containers."},
    {"dnsPolicy", "string", "Set DNS policy for the pod. Defaults to \"ClusterFirst\"."},
    {"nodeSelector", "map", "NodeSelector is a selector which must be true for the pod to fit on a node."},
    {"serviceAccountName", "string", "ServiceAccountName is the name of the ServiceAccount to use to run this pod."},
    {"serviceAccount", "string", "DeprecatedServiceAccount is a deprecated alias for ServiceAccountName. Deprecated: Use serviceAccountName instead."},
    {"automountServiceAccountToken", "boolean", "AutomountServiceAccountToken indicates whether a service account token should be automatically mounted."},
    {"nodeName", "string", "NodeName indicates in which node this pod is scheduled."},
    {"hostNetwork", "boolean", "Host networking requested for this pod. Use the host's network namespace. Default to false."},
    {"securityContext", "core.PodSecurityContext", "SecurityContext holds pod-level security attributes and common container settings."},
    {"imagePullSecrets", "[]core.LocalObjectReference@name", "ImagePullSecrets is an optional list of references to secrets in the same namespace to use for pulling any of the images used by this PodSpec."},
    {"hostname", "string", "Specifies the hostname of the Pod. If not specified, the pod's hostname will be set to a system-defined value."},
    {"subdomain", "string", "If specified, the fully qualified Pod hostname will be \"<hostname>.<subdomain>.<pod namespace>.svc.<cluster domain>\"."},
    {"affinity", "object", "If specified, the pod's scheduling constraints."},
    {"schedulerName", "string", "If specified, the pod will be dispatched by specified scheduler."},
    {"tolerations", "[]core.Toleration", "If specified, the pod's tolerations."},
    {"priorityClassName", "string", "If specified, indicates the pod's priority."},
    {"readinessGates", "[]object", "If specified, all readiness gates will be evaluated for pod readiness."},
    {"enableServiceLinks", "boolean", "EnableServiceLinks indicates whether information about services should be injected into pod's environment variables. Optional: Defaults to true."}},
   {"containers"}},
  {"core.Container", "A single application container that you want to run within a pod.", {
    {"name", "string", "Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL). Cannot be updated."},
    {"image", "string", "Container image name."},
    {"command", "[]string", "Entrypoint array. Not executed within a shell. The container image's ENTRYPOINT is used if this is not provided."},
    {"args", "[]string", "Arguments to the entrypoint. The container image's CMD is used if this is not provided."},
    {"workingDir", "string", "Container's working directory. If not specified, the container runtime's default will be used."},
    {"ports", "[]core.ContainerPort@containerPort", "List of ports to expose from the container."},
    {"env", "[]core.EnvVar@name", "List of environment variables to set in the container. Cannot be updated."},
    {"envFrom", "[]core.EnvFromSource", "List of sources to populate environment variables in the container."},
    {"resources", "core.ResourceRequirements", "Compute Resources required by this container. Cannot be updated."},
    {"volumeMounts", "[]core.VolumeMount@mountPath", "Pod volumes to mount into the container's filesystem. Cannot be updated."},
    {"livenessProbe", "core.Probe", "Periodic probe of container liveness. Container will be restarted if the probe fails."},
    {"readinessProbe", "core.Probe", "Periodic probe of container service readiness. Container will be removed from service endpoints if the probe fails."},
    {"startupProbe", "core.Probe", "StartupProbe indicates that the Pod has successfully initialized."},
    {"lifecycle", "object", "Actions that the management system should take in response to container lifecycle events."},
    {"imagePullPolicy", "string", "Image pull policy. One of Always, Never, IfNotPresent."},
    {"securityContext", "object", "SecurityContext defines the security options the container should be run with."},
    {"restartPolicy", "string", "RestartPolicy defines the restart behavior of individual containers in a pod (init containers only: Always makes a sidecar)."},
    {"terminationMessagePath", "string", "Path at which the file to which the container's termination message will be written is mounted into the container's filesystem."},
    {"terminationMessagePolicy", "string", "Indicate how the termination message should be populated. File or FallbackToLogsOnError."},
    {"stdin", "boolean", "Whether this container should allocate a buffer for stdin in the container runtime."},
    {"tty", "boolean", "Whether this container should allocate a TTY for itself, also requires 'stdin' to be true."}},
   {"name"}},
  {"core.ContainerPort", "ContainerPort represents a network port in a single container.", {
    {"name", "string", "If specified, this must be an IANA_SVC_NAME and unique within the pod."},
    {"containerPort", "integer", "Number of port to expose on the pod's IP address."},
    {"protocol", "string", "Protocol for port. Must be UDP, TCP, or SCTP. Defaults to \"TCP\"."},
    {"hostPort", "integer", "Number of port to expose on the host."},
    {"hostIP", "string", "What host IP to bind the external port to."}},
   {"containerPort"}},
  {"core.EnvVar", "EnvVar represents an environment variable present in a Container.", {
    {"name", "string", "Name of the environment variable. Must be a C_IDENTIFIER."},
    {"value", "string", "Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container and any service environment variables."},
    {"valueFrom", "core.EnvVarSource", "Source for the environment variable's value. Cannot be used if value is not empty."}},
   {"name"}},
  {"core.EnvVarSource", "EnvVarSource represents a source for the value of an EnvVar.", {
    {"configMapKeyRef", "object", "Selects a key of a ConfigMap."},
    {"secretKeyRef", "object", "Selects a key of a secret in the pod's namespace"},
    {"fieldRef", "object", "Selects a field of the pod: supports metadata.name, metadata.namespace, metadata.labels['<KEY>'], metadata.annotations['<KEY>'], spec.nodeName, spec.serviceAccountName, status.hostIP, status.podIP, status.podIPs."},
    {"resourceFieldRef", "object", "Selects a resource of the container: only resources limits and requests are currently supported."}}, {}},
  {"core.EnvFromSource", "EnvFromSource represents the source of a set of ConfigMaps", {
    {"prefix", "string", "An optional identifier to prepend to each key in the ConfigMap. Must be a C_IDENTIFIER."},
    {"configMapRef", "object", "The ConfigMap to select from"},
    {"secretRef", "object", "The Secret to select from"}}, {}},
  {"core.ResourceRequirements", "ResourceRequirements describes the compute resource requirements.", {
    {"limits", "map[quantity]", "Limits describes the maximum amount of compute resources allowed."},
    {"requests", "map[quantity]", "Requests describes the minimum amount of compute resources required."}}, {}},
  {"core.VolumeMount", "VolumeMount describes a mounting of a Volume within a container.", {
    {"name", "string", "This must match the Name of a Volume."},
    {"mountPath", "string", "Path within the container at which the volume should be mounted. Must not contain ':'."},
    {"subPath", "string", "Path within the volume from which the container's volume should be mounted. Defaults to \"\" (volume's root)."},
    {"readOnly", "boolean", "Mounted read-only if true, read-write otherwise (false or unspecified). Defaults to false."}},
   {"name", "mountPath"}},
  {"core.Probe", "Probe describes a health check to be performed against a container to determine whether it is alive or ready to receive traffic.", {
    {"exec", "object", "Exec specifies the action to take."},
    {"httpGet", "object", "HTTPGet specifies the http request to perform."},
    {"tcpSocket", "object", "TCPSocket specifies an action involving a TCP port."},
    {"initialDelaySeconds", "integer", "Number of seconds after the container has started before liveness probes are initiated."},
    {"periodSeconds", "integer", "How often (in seconds) to perform the probe. Default to 10 seconds. Minimum value is 1."},
    {"timeoutSeconds", "integer", "Number of seconds after which the probe times out. Defaults to 1 second. Minimum value is 1."},
    {"successThreshold", "integer", "Minimum consecutive successes for the probe to be considered successful after having failed. Defaults to 1."},
    {"failureThreshold", "integer", "Minimum consecutive failures for the probe to be considered failed after having succeeded. Defaults to 3. Minimum value is 1."}}, {}},
  {"core.Volume", "Volume represents a named volume in a pod that may be accessed by any container in the pod.", {
    {"name", "string", "name of the volume. Must be a DNS_LABEL and unique within the pod."},
    {"emptyDir", "object", "emptyDir represents a temporary directory that shares a pod's lifetime."},
    {"hostPath", "object", "hostPath represents a pre-existing file or directory on the host machine that is directly exposed to the container."},
    {"configMap", "object", "configMap represents a configMap that should populate this volume"},
    {"secret", "object", "secret represents a secret that should populate this volume."},
    {"downwardAPI", "object", "downwardAPI represents downward API about the pod that should populate this volume"},
    {"projected", "object", "projected items for all in one resources secrets, configmaps, and downward API"},
    {"persistentVolumeClaim", "object", "persistentVolumeClaimVolumeSource represents a reference to a PersistentVolumeClaim in the same namespace."}},
   {"name"}},
  {"core.PodSecurityContext", "PodSecurityContext holds pod-level security attributes and common container settings.", {
    {"runAsUser", "integer", "The UID to run the entrypoint of the container process."},
    {"runAsGroup", "integer", "The GID to run the entrypoint of the container process."},
    {"runAsNonRoot", "boolean", "Indicates that the container must run as a non-root user."},
    {"fsGroup", "integer", "A special supplemental group that applies to all containers in a pod."},
    {"supplementalGroups", "[]integer", "A list of groups applied to the first process run in each container."}}, {}},
  {"core.LocalObjectReference", "LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.", {
    {"name", "string", "Name of the referent."}}, {}},
  {"core.Toleration", "The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect> using the matching operator <operator>.", {
    {"key", "string", "Key is the taint key that the toleration applies to. Empty means match all taint keys."},
    {"operator", "string", "Operator represents a key's relationship to the value. Valid operators are Exists and Equal. Defaults to Equal."},
    {"value", "string", "Value is the taint value the toleration matches to."},
    {"effect", "string", "Effect indicates the taint effect to match. Empty means match all taint effects."},
    {"tolerationSeconds", "integer", "TolerationSeconds represents the period of time the toleration tolerates the taint."}}, {}},
  {"core.PodStatus", "PodStatus represents information about the status of a pod. Status may trail the actual state of a system.", {
    {"phase", "string", "The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle: Pending, Running, Succeeded, Failed, Unknown."},
    {"conditions", "[]object", "Current service state of pod."},
    {"hostIP", "string", "hostIP holds the IP address of the host to which the pod is assigned."},
    {"podIP", "string", "podIP address allocated to the pod. Routable at least within the cluster."},
    {"podIPs", "[]object", "podIPs holds the IP addresses allocated to the pod."},
    {"startTime", "time", "RFC 3339 date and time at which the object was acknowledged by the Kubelet."},
    {"containerStatuses", "[]object", "The list has one entry per container in the manifest."},
    {"initContainerStatuses", "[]object", "The list has one entry per init container in the manifest."},
    {"qosClass", "string", "The Quality of Service (QOS) classification assigned to the pod based on resource requirements."},
    {"message", "string", "A human readable message indicating details about why the pod is in this condition."},
    {"reason", "string", "A brief CamelCase message indicating details about why the pod is in this state."}}, {}},
  {"core.PodTemplateSpec", "PodTemplateSpec describes the data a pod should have when created from a template", {
    {"metadata", "meta.ObjectMeta", "Standard object's metadata."},
    {"spec", "core.PodSpec", "Specification of the desired behavior of the pod."}}, {}},
  {"core.Service", "Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.", {
    {"apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object."},
    {"kind", "string", "Kind is a string value representing the REST resource this object represents."},
    {"metadata", "meta.ObjectMeta", "Standard object's metadata."},
    {"spec", "core.ServiceSpec", "Spec defines the behavior of a service."},
    {"status", "object", "Most recently observed status of the service. Populated by the system. Read-only."}}, {}},
  {"core.ServiceSpec", "ServiceSpec describes the attributes that a user creates on a service.", {
    {"type", "string", "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer."},
    {"selector", "map", "Route service traffic to pods with label keys and values matching this selector."},
    {"ports", "[]core.ServicePort@port", "The list of ports that are exposed by this service."},
    {"clusterIP", "string", "clusterIP is the IP address of the service and is usually assigned randomly. \"None\" makes a headless service."},
    {"clusterIPs", "[]string", "ClusterIPs is a list of IP addresses assigned to this service."},
    {"publishNotReadyAddresses", "boolean", "publishNotReadyAddresses indicates that any agent which deals with endpoints for this Service should disregard any indications of ready/not-ready."},
    {"sessionAffinity", "string", "Supports \"ClientIP\" and \"None\". Used to maintain session affinity."},
    {"externalName", "string", "externalName is the external reference that discovery mechanisms will return as an alias for this service (e.g. a DNS CNAME record)."}}, {}},
  {"core.ServicePort", "ServicePort contains information on service's port.", {
    {"name", "string", "The name of this port within the service. This must be a DNS_LABEL."},
    {"protocol", "string", "The IP protocol for this port. Supports \"TCP\", \"UDP\", and \"SCTP\". Default is TCP."},
    {"port", "integer", "The port that will be exposed by this service."},
    {"targetPort", "intorstring", "Number or name of the port to access on the pods targeted by the service."},
    {"nodePort", "integer", "The port on each node on which this service is exposed when type is NodePort or LoadBalancer."}},
   {"port"}},
  {"core.ConfigMap", "ConfigMap holds configuration data for pods to consume.", {
    {"apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object."},
    {"kind", "string", "Kind is a string value representing the REST resource this object represents."},
    {"metadata", "meta.ObjectMeta", "Standard object's metadata."},
    {"data", "map", "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'."},
    {"binaryData", "map", "BinaryData contains the binary data (base64)."},
    {"immutable", "boolean", "Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified)."}}, {}},
  {"core.Secret", "Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.", {
    {"apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object."},
    {"kind", "string", "Kind is a string value representing the REST resource this object represents."},
    {"metadata", "meta.ObjectMeta", "Standard object's metadata."},
    {"data", "map", "Data contains the secret data. The serialized form of the secret data is a base64 encoded string."},
    {"stringData", "map", "stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience."},
    {"type", "string", "Used to facilitate programmatic handling of secret data."},
    {"immutable", "boolean", "Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified)."}}, {}},
  {"core.Event", "Event is a report of an event somewhere in the cluster.", {
    {"apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object."},
    {"kind", "string", "Kind is a string value representing the REST resource this object represents."},
    {"metadata", "meta.ObjectMeta", "Standard object's metadata."},
    {"involvedObject", "object", "The object that this event is about."},
    {"reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."},
    {"message", "string", "A human-readable description of the status of this operation."},
    {"type", "string", "Type of this event (Normal, Warning), new types could be added in the future"},
    {"count", "integer", "The number of times this event has occurred."},
    {"firstTimestamp", "time", "The time at which the event was first recorded."},
    {"lastTimestamp", "time", "The time at which the most recent occurrence of this event was recorded."},
    {"source", "object", "The component reporting this event."}},
   {"metadata", "involvedObject"}},
  {"core.ServiceAccount", "ServiceAccount binds together: a name, understood by users, and perhaps by peripheral systems, for an identity; a principal that can be authenticated and authorized; a set of secrets.", {
    {"apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object."},
    {"kind", "string", "Kind is a string value representing the REST resource this object represents."},
    {"metadata", "meta.ObjectMeta", "Standard object's metadata."},
    {"automountServiceAccountToken", "boolean", "AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted."},
    {"secrets", "[]object", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."},
    {"imagePullSecrets", "[]core.LocalObjectReference", "ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount."}}, {}},
  {"core.PersistentVolumeClaimSpec", "PersistentVolumeClaimSpec describes the common attributes of storage devices and allows a Source for provider-specific attributes", {
    {"accessModes", "[]string", "accessModes contains the desired access modes the volume should have."},
    {"resources", "core.ResourceRequirements", "resources represents the minimum resources the volume should have."},
    {"storageClassName", "string", "storageClassName is the name of the StorageClass required by the claim."},
    {"volumeName", "string", "volumeName is the binding reference to the PersistentVolume backing this claim."},
    {"selector", "meta.LabelSelector", "selector is a label query over volumes to consider for binding."}}, {}},
  {"core.PersistentVolumeClaim", "PersistentVolumeClaim is a user's request for and claim to a persistent volume", {
    {"apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object."},
    {"kind", "string", "Kind is a string value representing the REST resource this object represents."},
    {"metadata", "meta.ObjectMeta", "Standard object's metadata."},
    {"spec", "core.PersistentVolumeClaimSpec", "spec defines the desired characteristics of a volume requested by a pod author."},
    {"status", "object", "status represents the current information/status of a persistent volume claim. Read-only."}}, {}},
  {"apps.StatefulSet", "StatefulSet represents a set of pods with consistent identities.", {
    {"apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object."},
    {"kind", "string", "Kind is a string value representing the REST resource this object represents."},
    {"metadata", "meta.ObjectMeta", "Standard object's metadata."},
    {"spec", "apps.StatefulSetSpec", "Spec defines the desired identities of pods in this set."},
    {"status", "apps.StatefulSetStatus", "Status is the current status of Pods in this StatefulSet. This data may be out of date by some window of time."}}, {}},
  {"apps.StatefulSetSpec", "A StatefulSetSpec is the specification of a StatefulSet.", {
    {"replicas", "integer", "replicas is the desired number of replicas of the given Template. Defaults to 1."},
    {"selector", "meta.LabelSelector", "selector is a label query over pods that should match the replica count. It must match the pod template's labels."},
    {"template", "core.PodTemplateSpec", "template is the object that describes the pod that will be created if insufficient replicas are detected."},
    {"volumeClaimTemplates", "[]core.PersistentVolumeClaim", "volumeClaimTemplates is a list of claims that pods are allowed to reference."},
    {"serviceName", "string", "serviceName is the name of the service that governs this StatefulSet."},
    {"podManagementPolicy", "string", "podManagementPolicy controls how pods are created during initial scale up, when replacing pods on nodes, or when scaling down: OrderedReady or Parallel."},
    {"updateStrategy", "object", "updateStrategy indicates the StatefulSetUpdateStrategy that will be employed to update Pods in the StatefulSet when a revision is made to Template."},
    {"revisionHistoryLimit", "integer", "revisionHistoryLimit is the maximum number of revisions that will be maintained in the StatefulSet's revision history."},
    {"minReadySeconds", "integer", "Minimum number of seconds for which a newly created pod should be ready without any of its container crashing for it to be considered available."}},
   {"selector", "template"}},
  {"apps.StatefulSetStatus", "StatefulSetStatus represents the current state of a StatefulSet.", {
    {"observedGeneration", "integer", "observedGeneration is the most recent generation observed for this StatefulSet."},
    {"replicas", "integer", "replicas is the number of Pods created by the StatefulSet controller."},
    {"readyReplicas", "integer", "readyReplicas is the number of pods created for this StatefulSet with a Ready Condition."},
    {"currentReplicas", "integer", "currentReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by currentRevision."},
    {"updatedReplicas", "integer", "updatedReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by updateRevision."},
    {"availableReplicas", "integer", "Total number of available pods (ready for at least minReadySeconds) targeted by this statefulset."},
    {"currentRevision", "string", "currentRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [0,currentReplicas)."},
    {"updateRevision", "string", "updateRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [replicas-updatedReplicas,replicas)"}},
   {"replicas"}},
  {"batch.Job", "Job represents the configuration of a single job.", {
    {"apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object."},
    {"kind", "string", "Kind is a string value representing the REST resource this object represents."},
    {"metadata", "meta.ObjectMeta", "Standard object's metadata."},
    {"spec", "batch.JobSpec", "Specification of the desired behavior of a job."},
    {"status", "object", "Current status of a job."}}, {}},
  {"batch.JobSpec", "JobSpec describes how the job execution will look like.", {
    {"template", "core.PodTemplateSpec", "Describes the pod that will be created when executing a job. The only allowed template.spec.restartPolicy values are \"Never\" or \"OnFailure\"."},
    {"parallelism", "integer", "Specifies the maximum desired number of pods the job should run at any given time."},
    {"completions", "integer", "Specifies the desired number of successfully finished pods the job should be run with."},
    {"backoffLimit", "integer", "Specifies the number of retries before marking this job failed. Defaults to 6"},
    {"activeDeadlineSeconds", "integer", "Specifies the duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it."},
    {"ttlSecondsAfterFinished", "integer", "ttlSecondsAfterFinished limits the lifetime of a Job that has finished execution (either Complete or Failed)."},
    {"selector", "meta.LabelSelector", "A label query over pods that should match the pod count."},
    {"manualSelector", "boolean", "manualSelector controls generation of pod labels and pod selectors."},
    {"suspend", "boolean", "suspend specifies whether the Job controller should create Pods or not."}},
   {"template"}},
  {"coordination.Lease", "Lease defines a lease concept.", {
    {"apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object."},
    {"kind", "string", "Kind is a string value representing the REST resource this object represents."},
    {"metadata", "meta.ObjectMeta", "Standard object's metadata."},
    {"spec", "coordination.LeaseSpec", "spec contains the specification of the Lease."}}, {}},
  {"coordination.LeaseSpec", "LeaseSpec is a specification of a Lease.", {
    {"holderIdentity", "string", "holderIdentity contains the identity of the holder of a current lease."},
    {"leaseDurationSeconds", "integer", "leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it."},
    {"acquireTime", "time", "acquireTime is a time when the current lease was acquired."},
    {"renewTime", "time", "renewTime is a time when the current holder of a lease has last updated the lease."},
    {"leaseTransitions", "integer", "leaseTransitions is the number of transitions of a lease between holders."}}, {}},
  };
  return defs;
}
// clang-format on

// The kinds above, by GVK; the other built-in kinds get a generic schema (below).
struct KindDef {
  const char* group;
  const char* version;
  const char* kind;
  const char* def;
};
const KindDef kKindDefs[] = {
    {"", "v1", "Pod", "core.Pod"},
    {"", "v1", "Service", "core.Service"},
    {"", "v1", "ConfigMap", "core.ConfigMap"},
    {"", "v1", "Secret", "core.Secret"},
    {"", "v1", "Event", "core.Event"},
    {"", "v1", "ServiceAccount", "core.ServiceAccount"},
    {"", "v1", "PersistentVolumeClaim", "core.PersistentVolumeClaim"},
    {"apps", "v1", "StatefulSet", "apps.StatefulSet"},
    {"batch", "v1", "Job", "batch.Job"},
    {"coordination.k8s.io", "v1", "Lease", "coordination.Lease"},
};

std::string fullName(const std::string& shortName) {
  auto dot = shortName.find('.');
  std::string pkg = shortName.substr(0, dot);
  std::string type = shortName.substr(dot + 1);
  if (pkg == "meta") {
    return "io.k8s.apimachinery.pkg.apis.meta.v1." + type;
  }
  return "io.k8s.api." + pkg + ".v1." + type;
}

json refTo(const std::string& shortName) {
  return {{"allOf", json::array({{{"$ref", "#/components/schemas/" + fullName(shortName)}}})}};
}

json typeSchema(const std::string& type, std::vector<std::string>& refs) {
  if (type == "string" || type == "integer" || type == "boolean" || type == "number") {
    json s = {{"type", type}};
    if (type == "integer") {
      s["format"] = "int64";
    }
    return s;
  }
  if (type == "object") {
    return {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}};
  }
  if (type == "map") {
    return {{"type", "object"}, {"additionalProperties", {{"type", "string"}, {"default", ""}}}};
  }
  if (type == "time") {
    return {{"type", "string"}, {"format", "date-time"}};
  }
  if (type == "quantity" || type == "intorstring") {
    return {{"x-kubernetes-int-or-string", true}};
  }
  if (type.rfind("map[", 0) == 0) {
    return {{"type", "object"},
            {"additionalProperties", typeSchema(type.substr(4, type.size() - 5), refs)}};
  }
  if (type.rfind("[]", 0) == 0) {
    std::string item = type.substr(2);
    std::string key;
    if (auto at = item.find('@'); at != std::string::npos) {
      key = item.substr(at + 1);
      item = item.substr(0, at);
    }
    json items = typeSchema(item, refs);
    if (item.find('.') != std::string::npos) {
      items["default"] = json::object();
    }
    json s = {{"type", "array"}, {"items", items}};
    if (!key.empty()) {
      s["x-kubernetes-patch-merge-key"] = key;
      s["x-kubernetes-patch-strategy"] = "merge";
      s["x-kubernetes-list-type"] = "map";
      s["x-kubernetes-list-map-keys"] = json::array({key});
    } else if (item == "string") {
      s["x-kubernetes-list-type"] = "atomic";
    }
    return s;
  }
  refs.push_back(type);
  json s = refTo(type);
  s["default"] = json::object();
  return s;
}

const Definition* findDefinition(const std::string& shortName) {
  for (const auto& d : definitions()) {
    if (shortName == d.name) {
      return &d;
    }
  }
  return nullptr;
}

// Adds the definition and those it refers to (transitively) to `schemas`.
void addDefinition(const std::string& shortName, json& schemas) {
  const std::string name = fullName(shortName);
  if (schemas.contains(name)) {
    return;
  }
  const Definition* d = findDefinition(shortName);
  if (!d) {
    return;
  }
  std::vector<std::string> refs;
  json props = json::object();
  for (const auto& f : d->fields) {
    json s = typeSchema(f.type, refs);
    s["description"] = f.doc;
    props[f.name] = s;
  }
  json out = {{"description", d->doc}, {"type", "object"}, {"properties", props}};
  if (!d->required.empty()) {
    out["required"] = d->required;
  }
  schemas[name] = out;
  for (const auto& r : refs) {
    addDefinition(r, schemas);
  }
}

}  // namespace

void addBuiltinSchemas(const std::string& group, const std::string& version,
                       const std::vector<std::pair<std::string, std::string>>& kinds,
                       json& schemas) {
  for (const auto& [kind, description] : kinds) {
    const KindDef* known = nullptr;
    for (const auto& k : kKindDefs) {
      if (group == k.group && version == k.version && kind == k.kind) {
        known = &k;
      }
    }
    json gvk = json::array({{{"group", group}, {"version", version}, {"kind", kind}}});
    if (known) {
      addDefinition(known->def, schemas);
      schemas[fullName(known->def)]["x-kubernetes-group-version-kind"] = gvk;
      continue;
    }
    // A kind without a table entry: its envelope, spec and status as free-form objects.
    addDefinition("meta.ObjectMeta", schemas);
    std::string pkg = group.empty() ? "core" : group.substr(0, group.find('.'));
    schemas["io.k8s.api." + pkg + "." + version + "." + kind] = {
        {"description", description},
        {"type", "object"},
        {"properties",
         {{"apiVersion",
           {{"type", "string"},
            {"description",
             "APIVersion defines the versioned schema of this representation of an object."}}},
          {"kind",
           {{"type", "string"},
            {"description",
             "Kind is a string value representing the REST resource this object represents."}}},
          {"metadata",
           [] {
             json m = refTo("meta.ObjectMeta");
             m["default"] = json::object();
             m["description"] = "Standard object's metadata.";
             return m;
           }()},
          {"spec",
           {{"type", "object"},
            {"x-kubernetes-preserve-unknown-fields", true},
            {"description", "The desired state of the object."}}},
          {"status",
           {{"type", "object"},
            {"x-kubernetes-preserve-unknown-fields", true},
            {"description", "The observed state of the object. Read-only."}}}}},
        {"x-kubernetes-group-version-kind", gvk}};
  }
}

void addObjectMetaSchema(json& schemas) { addDefinition("meta.ObjectMeta", schemas); }

std::string objectMetaRef() { return "#/components/schemas/" + fullName("meta.ObjectMeta"); }

}  // namespace mysqlop::local
