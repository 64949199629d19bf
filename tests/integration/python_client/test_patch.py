"""Patch kinds as the Python client sends them: a list body goes as JSON patch and a dict as
strategic merge patch (kubernetes/client/rest.py), merge patch and server-side apply through the
client's call_api with their content types; apply conflicts are 409 and force takes the field."""
import unittest

from kubernetes import client

from common import NamespaceTest, raw, status_of


def deployment(name):
    return client.V1Deployment(
        metadata=client.V1ObjectMeta(name=name),
        spec=client.V1DeploymentSpec(
            replicas=1,
            selector=client.V1LabelSelector(match_labels={"app": name}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": name}),
                spec=client.V1PodSpec(containers=[
                    client.V1Container(name="main", image="main:1"),
                    client.V1Container(name="side", image="side:1")]))))


class PatchTest(NamespaceTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.apps = client.AppsV1Api(cls.api)

    def test_json_patch_from_a_list_body(self):
        self.config_map("jp", {"a": "1", "b": "2"})
        out = self.core.patch_namespaced_config_map("jp", self.ns, [
            {"op": "replace", "path": "/data/a", "value": "10"},
            {"op": "remove", "path": "/data/b"},
            {"op": "add", "path": "/data/c", "value": "3"}])
        self.assertEqual(out.data, {"a": "10", "c": "3"})

    def test_json_patch_test_op_failure_is_422(self):
        self.config_map("jpt", {"a": "1"})
        with self.assertRaises(client.ApiException) as caught:
            self.core.patch_namespaced_config_map("jpt", self.ns, [
                {"op": "test", "path": "/data/a", "value": "2"},
                {"op": "replace", "path": "/data/a", "value": "3"}])
        self.assertEqual(caught.exception.status, 422)
        self.assertEqual(self.core.read_namespaced_config_map("jpt", self.ns).data, {"a": "1"})

    def test_strategic_merge_patch_merges_containers_by_name(self):
        self.apps.create_namespaced_deployment(self.ns, deployment("smp"))
        out = self.apps.patch_namespaced_deployment("smp", self.ns, {"spec": {"template": {"spec": {
            "containers": [{"name": "side", "image": "side:2"}]}}}})
        self.assertEqual([(c.name, c.image) for c in out.spec.template.spec.containers],
                         [("main", "main:1"), ("side", "side:2")])
        self.assertEqual(out.metadata.generation, 2)

    def test_merge_patch_replaces_lists_and_null_deletes(self):
        self.apps.create_namespaced_deployment(self.ns, deployment("mp"))
        path = "/apis/apps/v1/namespaces/%s/deployments/mp" % self.ns
        status, out = raw(self.api, "PATCH", path, {
            "metadata": {"labels": {"x": "y"}},
            "spec": {"template": {"spec": {"containers": [{"name": "only", "image": "only:1"}]}}}},
            "application/merge-patch+json")
        self.assertEqual(status, 200)
        self.assertEqual([c["name"] for c in out["spec"]["template"]["spec"]["containers"]],
                         ["only"])
        status, out = raw(self.api, "PATCH", path, {"metadata": {"labels": {"x": None}}},
                          "application/merge-patch+json")
        self.assertNotIn("x", out["metadata"].get("labels") or {})

    def test_server_side_apply_owns_fields_conflicts_and_force(self):
        path = "/api/v1/namespaces/%s/configmaps/ssa" % self.ns
        manifest = {"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": "ssa", "namespace": self.ns}, "data": {"a": "1"}}
        status, out = raw(self.api, "PATCH", path, manifest, "application/apply-patch+yaml",
                          [("fieldManager", "alice")])
        self.assertEqual(status, 201)
        self.assertEqual(out["data"], {"a": "1"})
        self.assertEqual([m["manager"] for m in out["metadata"]["managedFields"]], ["alice"])

        manifest["data"] = {"a": "2"}
        with self.assertRaises(client.ApiException) as caught:
            raw(self.api, "PATCH", path, manifest, "application/apply-patch+yaml",
                [("fieldManager", "bob")])
        self.assertEqual(caught.exception.status, 409)
        self.assertEqual(status_of(caught.exception)["reason"], "Conflict")
        self.assertIn('conflict with "alice"', status_of(caught.exception)["message"])

        # force=True (the client's bool form, "True") takes the field over.
        status, out = raw(self.api, "PATCH", path, manifest, "application/apply-patch+yaml",
                          [("fieldManager", "bob"), ("force", True)])
        self.assertEqual(status, 200)
        self.assertEqual(out["data"], {"a": "2"})
        self.assertEqual(sorted(m["manager"] for m in out["metadata"]["managedFields"]), ["bob"])

    def test_apply_without_a_field_manager_is_422(self):
        with self.assertRaises(client.ApiException) as caught:
            raw(self.api, "PATCH", "/api/v1/namespaces/%s/configmaps/nofm" % self.ns,
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "nofm"}},
                "application/apply-patch+yaml")
        self.assertEqual(caught.exception.status, 422)
        self.assertEqual(status_of(caught.exception)["message"],
                         'PatchOptions.meta.k8s.io "" is invalid: '
                         "fieldManager: Required value: is required for apply patch")


if __name__ == "__main__":
    unittest.main()
