"""watch: the client sends watch=True; from a resourceVersion it gets exactly the later changes in
order; without one, the current objects as ADDED first; label selectors; timeoutSeconds ends it."""
import threading
import unittest

from kubernetes import client, watch

from common import NamespaceTest, raw_text, status_of


class WatchTest(NamespaceTest):
    def events(self, stream, count):
        out = []
        for event in stream:
            out.append((event["type"], event["object"].metadata.name,
                        (event["object"].data or {}).get("k")))
            if len(out) == count:
                break
        return out

    def test_watch_from_a_resource_version_sees_later_changes_in_order(self):
        self.config_map("before")
        rv = self.core.list_namespaced_config_map(self.ns).metadata.resource_version
        self.config_map("a", {"k": "1"})
        self.core.patch_namespaced_config_map("a", self.ns, {"data": {"k": "2"}})
        self.core.delete_namespaced_config_map("a", self.ns)
        w = watch.Watch()
        got = self.events(w.stream(self.core.list_namespaced_config_map, self.ns,
                                   resource_version=rv, timeout_seconds=10), 3)
        w.stop()
        self.assertEqual(got, [("ADDED", "a", "1"), ("MODIFIED", "a", "2"), ("DELETED", "a", "2")])

    def test_watch_without_a_resource_version_starts_with_the_current_objects(self):
        self.config_map("x1")
        self.config_map("x2")
        w = watch.Watch()
        stream = w.stream(self.core.list_namespaced_config_map, self.ns,
                          label_selector="set=x", timeout_seconds=10)
        self.core.patch_namespaced_config_map("x1", self.ns, {"metadata": {"labels": {"set": "x"}}})
        got = self.events(stream, 1)
        w.stop()
        self.assertEqual(got, [("ADDED", "x1", "v")])  # entered the selector: ADDED

    def test_live_changes_reach_a_running_watch(self):
        rv = self.core.list_namespaced_config_map(self.ns).metadata.resource_version
        w = watch.Watch()
        stream = w.stream(self.core.list_namespaced_config_map, self.ns,
                          field_selector="metadata.name=live", resource_version=rv,
                          timeout_seconds=20)
        timer = threading.Timer(0.5, lambda: self.config_map("live"))
        timer.start()
        got = self.events(stream, 1)
        w.stop()
        timer.join()
        self.assertEqual(got, [("ADDED", "live", "v")])

    def test_timeout_seconds_ends_the_stream(self):
        w = watch.Watch()
        got = list(w.stream(self.core.list_namespaced_config_map, self.ns,
                            field_selector="metadata.name=never", timeout_seconds=1))
        self.assertEqual(got, [])

    def test_every_true_form_watches_and_false_forms_list(self):
        path = "/api/v1/namespaces/%s/configmaps" % self.ns
        self.config_map("form")
        for true in ("True", "true", "1", "t", "yes"):
            status, text = raw_text(self.api, "GET", path, [
                ("watch", true), ("timeoutSeconds", "1"), ("fieldSelector", "metadata.name=form")])
            self.assertEqual(status, 200)
            self.assertTrue(text.startswith('{"type":"ADDED"'), true + ": " + text[:80])
        for false in ("False", "false", "0", "FALSE"):
            status, text = raw_text(self.api, "GET", path, [("watch", false)])
            self.assertEqual(status, 200)
            self.assertIn('"kind":"ConfigMapList"', text, false)

    def test_bad_timeout_seconds_is_a_400_with_gos_text(self):
        with self.assertRaises(client.ApiException) as caught:
            list(watch.Watch().stream(self.core.list_namespaced_config_map, self.ns,
                                      timeout_seconds="1.5"))
        self.assertEqual(caught.exception.status, 400)
        self.assertEqual(status_of(caught.exception)["message"],
                         'strconv.ParseInt: parsing "1.5": invalid syntax')


if __name__ == "__main__":
    unittest.main()
