"""Shared by the Python client suite: a client of the local API server under test.

The gtest runner (python_client_test.cpp) starts a fresh `mysql-operator-local apiserver` per
script and passes its kubeconfig in KUBECONFIG; the scripts use the official client as a user
scripting against a cluster would (kubernetes.config, the generated APIs, Watch).
"""
import json
import os
import unittest
import uuid

from kubernetes import client, config


def api_client():
    return config.new_client_from_config(config_file=os.environ["KUBECONFIG"])


def source_dir():
    return os.environ["MYSQLOP_SOURCE_DIR"]


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


def raw(api, method, path, body=None, content_type="application/json", query=None):
    """One request through the client's own call_api (its TLS, token and error handling), for the
    patch kinds and query forms its generated methods do not send. Returns (status, parsed body);
    an error status raises client.ApiException as every generated method does."""
    if content_type == "application/apply-patch+yaml" and not isinstance(body, (str, bytes)):
        # Client 22.6 serialises only "*json*" bodies; apply goes as a string (JSON is YAML).
        body = json.dumps(body)
    data, status, _ = api.call_api(
        path, method, query_params=query or [],
        header_params={"Content-Type": content_type, "Accept": "application/json"},
        body=body, auth_settings=["BearerToken"], response_type="object",
        _preload_content=True, _return_http_data_only=False)
    return status, data


def raw_text(api, method, path, query=None):
    """The body of a GET as text (a watch stream is several JSON lines)."""
    resp = api.call_api(
        path, method, query_params=query or [], header_params={"Accept": "application/json"},
        auth_settings=["BearerToken"], _preload_content=False, _return_http_data_only=True)
    try:
        return resp.status, resp.data.decode()
    finally:
        resp.release_conn()


def status_of(error):
    """The Status object of an ApiException."""
    return json.loads(error.body)


class NamespaceTest(unittest.TestCase):
    """Each test class gets a namespace of its own."""

    @classmethod
    def setUpClass(cls):
        cls.api = api_client()
        cls.core = client.CoreV1Api(cls.api)
        cls.ns = unique("py")
        cls.core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=cls.ns)))

    def config_map(self, name, data=None, labels=None):
        return self.core.create_namespaced_config_map(self.ns, client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name=name, labels=labels), data=data or {"k": "v"}))
