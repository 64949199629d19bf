"""CRD objects: our crds/ applied with the client, a MysqlCluster created, read, listed, patched;
its status subresource (status writes touch only status, main-resource writes never status); the
scale subresource; a schema violation is 422."""
import glob
import os
import time
import unittest

import yaml
from kubernetes import client

from common import NamespaceTest, source_dir, status_of

GROUP, VERSION, PLURAL = "mysql.presslabs.org", "v1alpha1", "mysqlclusters"


class CrdTest(NamespaceTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ext = client.ApiextensionsV1Api(cls.api)
        for path in sorted(glob.glob(os.path.join(source_dir(), "crds", "*.yaml"))):
            with open(path) as f:
                for doc in yaml.safe_load_all(f):
                    if doc:
                        ext.create_custom_resource_definition(doc)
        deadline = time.monotonic() + 30
        while True:
            crd = ext.read_custom_resource_definition("mysqlclusters." + GROUP)
            conditions = {c.type: c.status for c in crd.status.conditions or []}
            if conditions.get("Established") == "True":
                break
            if time.monotonic() > deadline:
                raise AssertionError("CRD not Established: %s" % conditions)
            time.sleep(0.1)
        cls.crs = client.CustomObjectsApi(cls.api)

    def cluster(self, name, replicas=1):
        return self.crs.create_namespaced_custom_object(GROUP, VERSION, self.ns, PLURAL, {
            "apiVersion": GROUP + "/" + VERSION, "kind": "MysqlCluster",
            "metadata": {"name": name}, "spec": {"replicas": replicas, "secretName": "s"}})

    def test_every_crd_is_established(self):
        names = sorted(c.metadata.name for c in
                       client.ApiextensionsV1Api(self.api).list_custom_resource_definition().items)
        self.assertEqual(names, ["mysqlbackups." + GROUP, "mysqlclusters." + GROUP,
                                 "mysqldatabases." + GROUP, "mysqlusers." + GROUP])

    def test_create_read_list_patch_delete(self):
        made = self.cluster("one", 2)
        self.assertEqual(made["spec"]["replicas"], 2)
        self.assertTrue(made["metadata"]["uid"])
        got = self.crs.get_namespaced_custom_object(GROUP, VERSION, self.ns, PLURAL, "one")
        self.assertEqual(got["metadata"]["resourceVersion"], made["metadata"]["resourceVersion"])
        listed = self.crs.list_namespaced_custom_object(GROUP, VERSION, self.ns, PLURAL)
        self.assertEqual(listed["kind"], "MysqlClusterList")
        self.assertEqual([o["metadata"]["name"] for o in listed["items"]], ["one"])
        patched = self.crs.patch_namespaced_custom_object(  # merge patch: the client's only kind
            GROUP, VERSION, self.ns, PLURAL, "one", {"spec": {"replicas": 3}})
        self.assertEqual(patched["spec"]["replicas"], 3)
        self.assertEqual(patched["metadata"]["generation"], 2)
        self.crs.delete_namespaced_custom_object(GROUP, VERSION, self.ns, PLURAL, "one")
        with self.assertRaises(client.ApiException) as caught:
            self.crs.get_namespaced_custom_object(GROUP, VERSION, self.ns, PLURAL, "one")
        self.assertEqual(caught.exception.status, 404)
        self.assertEqual(status_of(caught.exception)["message"],
                         'mysqlclusters.mysql.presslabs.org "one" not found')

    def test_status_subresource(self):
        self.cluster("st")
        out = self.crs.patch_namespaced_custom_object_status(
            GROUP, VERSION, self.ns, PLURAL, "st",
            {"status": {"readyNodes": 1}, "spec": {"replicas": 9}})
        self.assertEqual(out["status"]["readyNodes"], 1)
        self.assertEqual(out["spec"]["replicas"], 1)  # spec is not written through /status
        self.assertEqual(out["metadata"]["generation"], 1)
        got = self.crs.get_namespaced_custom_object_status(GROUP, VERSION, self.ns, PLURAL, "st")
        self.assertEqual(got["status"]["readyNodes"], 1)
        # A write of the main resource leaves status alone.
        out = self.crs.patch_namespaced_custom_object(
            GROUP, VERSION, self.ns, PLURAL, "st", {"status": {"readyNodes": 5}})
        self.assertEqual(out["status"]["readyNodes"], 1)

    def test_scale_subresource(self):
        self.cluster("sc", 2)
        scale = self.crs.get_namespaced_custom_object_scale(GROUP, VERSION, self.ns, PLURAL, "sc")
        self.assertEqual(scale["kind"], "Scale")
        self.assertEqual(scale["spec"]["replicas"], 2)
        self.crs.patch_namespaced_custom_object_scale(GROUP, VERSION, self.ns, PLURAL, "sc",
                                                      {"spec": {"replicas": 4}})
        got = self.crs.get_namespaced_custom_object(GROUP, VERSION, self.ns, PLURAL, "sc")
        self.assertEqual(got["spec"]["replicas"], 4)

    def test_schema_violation_is_422(self):
        with self.assertRaises(client.ApiException) as caught:
            self.crs.create_namespaced_custom_object(GROUP, VERSION, self.ns, PLURAL, {
                "apiVersion": GROUP + "/" + VERSION, "kind": "MysqlCluster",
                "metadata": {"name": "bad"}, "spec": {"replicas": "three"}})
        self.assertEqual(caught.exception.status, 422)
        self.assertIn("spec.replicas", status_of(caught.exception)["message"])


if __name__ == "__main__":
    unittest.main()
