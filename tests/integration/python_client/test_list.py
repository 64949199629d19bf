"""list: selectors, pagination with limit/continue, all namespaces, 404 texts."""
import unittest

from kubernetes import client

from common import NamespaceTest, status_of


class ListTest(NamespaceTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for i in range(5):
            cls.core.create_namespaced_config_map(cls.ns, client.V1ConfigMap(
                metadata=client.V1ObjectMeta(name="cm-%d" % i,
                                             labels={"parity": "even" if i % 2 == 0 else "odd"}),
                data={"i": str(i)}))

    def names(self, items):
        return [o.metadata.name for o in items]

    def test_list_returns_every_object_with_a_resource_version(self):
        out = self.core.list_namespaced_config_map(self.ns)
        self.assertEqual(self.names(out.items), ["cm-%d" % i for i in range(5)])
        self.assertTrue(out.metadata.resource_version.isdigit())
        self.assertEqual(out.items[3].data, {"i": "3"})

    def test_label_and_field_selectors(self):
        even = self.core.list_namespaced_config_map(self.ns, label_selector="parity=even")
        self.assertEqual(self.names(even.items), ["cm-0", "cm-2", "cm-4"])
        notodd = self.core.list_namespaced_config_map(self.ns, label_selector="parity!=odd,parity")
        self.assertEqual(self.names(notodd.items), ["cm-0", "cm-2", "cm-4"])
        one = self.core.list_namespaced_config_map(self.ns, field_selector="metadata.name=cm-1")
        self.assertEqual(self.names(one.items), ["cm-1"])

    def test_pages_with_limit_and_continue(self):
        seen, token, pages = [], None, 0
        while True:
            page = self.core.list_namespaced_config_map(self.ns, limit=2, _continue=token)
            pages += 1
            seen += self.names(page.items)
            token = page.metadata._continue
            if not token:
                break
            self.assertEqual(len(page.items), 2)
            self.assertGreater(page.metadata.remaining_item_count, 0)
        self.assertEqual(pages, 3)
        self.assertEqual(seen, ["cm-%d" % i for i in range(5)])

    def test_all_namespaces(self):
        out = self.core.list_config_map_for_all_namespaces(label_selector="parity=odd")
        self.assertEqual([(o.metadata.namespace, o.metadata.name) for o in out.items],
                         [(self.ns, "cm-1"), (self.ns, "cm-3")])

    def test_missing_object_is_a_404_with_kube_apiservers_text(self):
        with self.assertRaises(client.ApiException) as caught:
            self.core.read_namespaced_config_map("nope", self.ns)
        self.assertEqual(caught.exception.status, 404)
        status = status_of(caught.exception)
        self.assertEqual(status["reason"], "NotFound")
        self.assertEqual(status["message"], 'configmaps "nope" not found')

    def test_bad_limit_is_a_400_with_gos_text(self):
        with self.assertRaises(client.ApiException) as caught:
            self.api.call_api("/api/v1/namespaces/%s/configmaps" % self.ns, "GET",
                              query_params=[("limit", "ten")], auth_settings=["BearerToken"],
                              response_type="object")
        self.assertEqual(caught.exception.status, 400)
        self.assertEqual(status_of(caught.exception)["message"],
                         'strconv.ParseInt: parsing "ten": invalid syntax')


if __name__ == "__main__":
    unittest.main()
