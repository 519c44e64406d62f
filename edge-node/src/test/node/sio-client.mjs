// sio-client.mjs owns the Node side of Parley's Socket.IO integration tests: it drives the stock
// socket.io-client (pinned in package.json / package-lock.json) and speaks JSON lines with the
// Java test that started it. Usage: node sio-client.mjs '<options JSON>'
//   options: {"url":"http://127.0.0.1:8080","token":"...","transports":["websocket"],"reconnectionDelay":200,
//             "auth":{"profile":"seed-001"},"query":{"profile":"seed-002"}}  (auth: more CONNECT auth fields
//             besides the token; query: handshake query parameters)
// stdin, one JSON command a line:
//   {"cmd":"emit","id":7,"event":"join-room","args":["lobby"],"ack":true}   -> {"type":"ack","id":7,"args":[...]}
//   {"cmd":"disconnect"} | {"cmd":"connect"} | {"cmd":"exit"}
// stdout, one JSON event a line: open (the first transport), connect (with the transport), upgrade, connect_error (message, data),
//   disconnect (reason), event (name, args: every argument, for multi-argument events), ack, reconnect_attempt, reconnect, fatal.
import { io } from "socket.io-client";
import { createInterface } from "node:readline";

const options = JSON.parse(process.argv[2] ?? "{}");
const out = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const auth = { ...(options.auth ?? {}), ...(options.token === undefined ? {} : { token: options.token }) };
const socket = io(options.url, {
  auth: Object.keys(auth).length === 0 ? undefined : auth,
  query: options.query,
  transports: options.transports ?? ["polling", "websocket"],
  reconnectionDelay: options.reconnectionDelay ?? 200,
  reconnectionDelayMax: options.reconnectionDelayMax ?? 1000,
  timeout: options.timeout ?? 10000,
  forceNew: true,
});

const transport = () => socket.io.engine?.transport?.name ?? null;
// The Engine.IO session opened (on its first transport); an upgrade may follow at any time.
socket.io.on("open", () => {
  out({ type: "open", transport: transport() });
  socket.io.engine.once("upgrade", (t) => out({ type: "upgrade", transport: t.name }));
});
socket.on("connect", () => out({ type: "connect", id: socket.id, transport: transport(), recovered: socket.recovered === true }));
socket.on("connect_error", (err) => out({ type: "connect_error", message: err.message, data: err.data ?? null }));
socket.on("disconnect", (reason) => out({ type: "disconnect", reason }));
socket.onAny((event, ...args) => out({ type: "event", event, args }));
socket.io.on("reconnect_attempt", (attempt) => out({ type: "reconnect_attempt", attempt }));
socket.io.on("reconnect", (attempt) => out({ type: "reconnect", attempt }));

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (!line.trim()) return;
  try {
    const command = JSON.parse(line);
    switch (command.cmd) {
      case "emit": {
        const args = command.args ?? [];
        if (command.ack) {
          socket.emit(command.event, ...args, (...reply) => out({ type: "ack", id: command.id, args: reply }));
        } else {
          socket.emit(command.event, ...args);
        }
        break;
      }
      case "disconnect":
        socket.disconnect();
        break;
      case "connect":
        socket.connect();
        break;
      case "exit":
        socket.close();
        process.exit(0);
      default:
        out({ type: "fatal", message: "unknown command " + command.cmd });
    }
  } catch (e) {
    out({ type: "fatal", message: String(e) });
  }
});
lines.on("close", () => {
  socket.close();
  process.exit(0);
});
