"""An independent MCP client for Telaio's tests: the official Python SDK (`mcp` on PyPI).

Usage: client.py PLAN_JSON

PLAN is {"server": {"stdio": [command, args...], "env": {...}} | {"http": URL, "token": T?},
         "era": "handshake" | "current", "ops": [op, ...]}
with ops:
  {"op": "list"}                                    the tools, as the client parsed them
  {"op": "call", "name": N, "args": {...}}          a call, with a progress token (an argument
                                                    `"runId": "$last"` is the last call's run)
  {"op": "cancel", "name": N, "args": {...}, "after": K}
                                                    a call cancelled after K progress notifications
  {"op": "bad", "name": N}                          a call of a tool that does not exist
  {"op": "sleep", "seconds": S}                     a pause (the server goes on meanwhile)
  {"op": "resources"} / {"op": "read", "uri": U}     the resources, one read

"handshake" starts with `initialize` (protocol 2025-11-25); "current" lets the SDK choose
(2026-07-28, no handshake). Prints one JSON object: the protocol version and each op's
observations. The test asserts on them; this script only observes.
"""
import json
import sys

import anyio
import httpx2
from mcp import Client, ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


async def run_ops(session, call_tool, list_tools, ops):
    out = []
    last_run = None
    for op in ops:
        if op.get("args", {}).get("runId") == "$last":
            op = {**op, "args": {**op["args"], "runId": last_run}}
        kind = op["op"]
        if kind == "list":
            tools = await list_tools()
            out.append({"tools": [dump(t) for t in tools.tools]})
        elif kind in ("call", "cancel"):
            seen = []
            enough = anyio.Event()

            async def progress(p, total, message):
                seen.append({"progress": p, "total": total, "message": message})
                if kind == "cancel" and len(seen) >= op["after"]:
                    enough.set()

            if kind == "call":
                result = await call_tool(op["name"], op.get("args", {}), progress_callback=progress)
                await anyio.sleep(0.1)  # progress callbacks run as tasks of their own
                if result.structured_content and "runId" in result.structured_content:
                    last_run = result.structured_content["runId"]
                out.append({"result": dump(result), "progress": seen})
            else:
                async with anyio.create_task_group() as tg:
                    async def go():
                        await call_tool(op["name"], op.get("args", {}), progress_callback=progress)

                    tg.start_soon(go)
                    with anyio.fail_after(60):
                        await enough.wait()
                    tg.cancel_scope.cancel()
                out.append({"cancelled": True, "progress": seen})
        elif kind == "resources":
            listed = await session.list_resources()
            out.append({"resources": [dump(r) for r in listed.resources]})
        elif kind == "read":
            try:
                read = await session.read_resource(op["uri"])
                out.append({"contents": [dump(c) for c in read.contents]})
            except MCPError as e:
                out.append({"error": {"code": e.code, "message": e.message}})
        elif kind == "sleep":
            await anyio.sleep(op["seconds"])
            out.append({"slept": op["seconds"]})
        elif kind == "bad":
            try:
                await call_tool(op["name"], {})
                out.append({"error": None})
            except MCPError as e:
                out.append({"error": {"code": e.code, "message": e.message}})
        else:
            raise SystemExit(f"unknown op {kind}")
    return out


async def main():
    plan = json.loads(sys.argv[1])
    server = plan["server"]
    ops = plan["ops"]
    result = {}
    if plan["era"] == "current":
        target = (
            StdioServerParameters(command=server["stdio"][0], args=server["stdio"][1:], env=server.get("env"))
            if "stdio" in server
            else server["http"]
        )
        async with Client(target) as c:
            s = c.session
            result["protocolVersion"] = s.protocol_version
            result["ops"] = await run_ops(s, c.call_tool, c.list_tools, ops)
    else:
        if "stdio" in server:
            params = StdioServerParameters(command=server["stdio"][0], args=server["stdio"][1:], env=server.get("env"))
            transport = stdio_client(params)
        else:
            headers = {"Authorization": f"Bearer {server['token']}"} if server.get("token") else {}
            transport = streamable_http_client(server["http"], http_client=httpx2.AsyncClient(headers=headers, timeout=120))
        async with transport as streams:
            read, write = streams[0], streams[1]
            async with ClientSession(read, write) as s:
                init = await s.initialize()
                result["protocolVersion"] = init.protocol_version
                result["serverInfo"] = dump(init.server_info)
                result["ops"] = await run_ops(s, s.call_tool, s.list_tools, ops)
    print(json.dumps(result))


anyio.run(main)
