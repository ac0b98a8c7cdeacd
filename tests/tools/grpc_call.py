#!/usr/bin/env python3
"""A grpcurl stand-in for the test suite, built only on stock Python gRPC.

grpcurl cannot be installed on the build machines, but the README documents
the hub's gRPC API with grpcurl commands. This script accepts the same
command lines (the subset the README uses: -plaintext, -H, -d, `list`,
`describe`-free calls) and performs them the way grpcurl does: it learns
the services and messages from the server's reflection service — the
v1alpha protocol, which is what grpcio-reflection's client speaks — turns
the JSON request into protobuf with the standard proto3 JSON mapping, and
prints each answer as JSON. So a README example that works here works with
grpcurl, and a hub that stopped serving v1alpha reflection fails here.

Usage: grpc_call.py [grpcurl arguments...]
  Environment: GRPC_CALL_MAX_MESSAGES=N stops a server-only stream after N
  messages (grpcurl would follow it until interrupted).
  A client-streaming method sends every JSON message of -d in turn, as
  grpcurl does with several messages in its data, and prints each answer.
Exit status: 0 on an OK answer, 1 on a gRPC error (printed as grpcurl
prints it: "ERROR:\n  Code: ...\n  Message: ..."), 2 on bad usage.
"""

import json
import os
import sys

import grpc
from google.protobuf import descriptor_pool, json_format, message_factory
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)


def parse(argv):
    opts = {"plaintext": False, "headers": [], "data": None, "rest": []}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "-plaintext":
            opts["plaintext"] = True
        elif arg == "-H":
            i += 1
            opts["headers"].append(argv[i])
        elif arg == "-d":
            i += 1
            opts["data"] = argv[i]
        elif arg.startswith("-"):
            sys.stderr.write(f"grpc_call.py: unsupported option {arg}\n")
            sys.exit(2)
        else:
            opts["rest"].append(arg)
        i += 1
    return opts


def messages(data):
    """The JSON messages of -d: one, or several one after the other."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while True:
        while at < len(data) and data[at].isspace():
            at += 1
        if at == len(data):
            return found
        one, at = decoder.raw_decode(data, at)
        found.append(one)


def metadata(headers):
    pairs = []
    for header in headers:
        name, _, value = header.partition(":")
        pairs.append((name.strip().lower(), value.strip()))
    return pairs


def main():
    opts = parse(sys.argv[1:])
    if not opts["plaintext"]:
        sys.stderr.write("grpc_call.py: only -plaintext calls are supported\n")
        return 2
    if len(opts["rest"]) != 2:
        sys.stderr.write("grpc_call.py: expected ADDRESS and METHOD (or `list`)\n")
        return 2
    address, verb = opts["rest"]
    channel = grpc.insecure_channel(address)
    reflection = ProtoReflectionDescriptorDatabase(channel)
    if verb == "list":
        for service in sorted(reflection.get_services()):
            print(service)
        return 0
    service_name, _, method_name = verb.replace("/", ".").rpartition(".")
    pool = descriptor_pool.DescriptorPool(reflection)
    method = pool.FindServiceByName(service_name).FindMethodByName(method_name)
    request_class = message_factory.GetMessageClass(method.input_type)
    response_class = message_factory.GetMessageClass(method.output_type)
    requests = [
        json_format.Parse(json.dumps(one), request_class())
        for one in messages(opts["data"] or "{}")
    ]
    path = f"/{service_name}/{method_name}"
    meta = metadata(opts["headers"])
    show = lambda message: print(
        json_format.MessageToJson(message, ensure_ascii=False)
    )
    try:
        if method.client_streaming:
            call = channel.stream_stream(
                path,
                request_serializer=lambda m: m.SerializeToString(),
                response_deserializer=response_class.FromString,
            )
            for message in call(iter(requests), metadata=meta):
                show(message)
        elif method.server_streaming:
            call = channel.unary_stream(
                path,
                request_serializer=lambda m: m.SerializeToString(),
                response_deserializer=response_class.FromString,
            )
            limit = int(os.environ.get("GRPC_CALL_MAX_MESSAGES", "0"))
            stream = call(requests[0], metadata=meta)
            for count, message in enumerate(stream, start=1):
                show(message)
                if limit and count >= limit:
                    stream.cancel()
                    break
        else:
            call = channel.unary_unary(
                path,
                request_serializer=lambda m: m.SerializeToString(),
                response_deserializer=response_class.FromString,
            )
            show(call(requests[0], metadata=meta))
    except grpc.RpcError as error:
        print(f"ERROR:\n  Code: {error.code().name}\n  Message: {error.details()}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
