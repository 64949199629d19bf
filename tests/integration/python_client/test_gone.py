"""410 Gone: a watch or an exact list from a resourceVersion older than the server's history (the
runner starts it with --history-limit 40) raises ApiException with status 410."""
import unittest

from kubernetes import client, watch

from common import NamespaceTest, status_of


class GoneTest(NamespaceTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.old_rv = cls.core.list_namespaced_config_map(cls.ns).metadata.resource_version
        for i in range(60):  # well past the history limit
            cls.core.create_namespaced_config_map(cls.ns, client.V1ConfigMap(
                metadata=client.V1ObjectMeta(name="filler-%d" % i)))

    def test_watch_from_an_expired_resource_version_raises_410(self):
        w = watch.Watch()
        with self.assertRaises(client.ApiException) as caught:
            for _ in w.stream(self.core.list_namespaced_config_map, self.ns,
                              resource_version=self.old_rv, timeout_seconds=5):
                self.fail("an event from an expired resourceVersion")
        self.assertEqual(caught.exception.status, 410)
        self.assertIn("too old resource version", caught.exception.reason)

    def test_watch_retries_once_then_raises_410_without_a_timeout(self):
        # Without timeout_seconds the client retries a 410 once with the same resourceVersion.
        w = watch.Watch()
        with self.assertRaises(client.ApiException) as caught:
            for _ in w.stream(self.core.list_namespaced_config_map, self.ns,
                              resource_version=self.old_rv):
                self.fail("an event from an expired resourceVersion")
        self.assertEqual(caught.exception.status, 410)

    def test_exact_list_at_an_expired_resource_version_is_410(self):
        with self.assertRaises(client.ApiException) as caught:
            self.core.list_namespaced_config_map(self.ns, resource_version=self.old_rv,
                                                 resource_version_match="Exact")
        self.assertEqual(caught.exception.status, 410)
        self.assertEqual(status_of(caught.exception)["reason"], "Expired")

    def test_a_current_resource_version_still_watches(self):
        rv = self.core.list_namespaced_config_map(self.ns).metadata.resource_version
        got = list(watch.Watch().stream(self.core.list_namespaced_config_map, self.ns,
                                        resource_version=rv, timeout_seconds=1))
        self.assertEqual(got, [])


if __name__ == "__main__":
    unittest.main()
