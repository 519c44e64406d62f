// The benchmark yardstick (owns nothing of Parley): a stock Socket.IO v4 server with the Redis
// adapter, as a Socket.IO chat app would be written, speaking Parley's events so the same load
// generator measures both: JWT (HS256, the same secret) in the CONNECT auth payload; join-room
// and send-message with acks {success, data}; new-message to the room with a per-room seq kept in
// Redis (INCR, so every process agrees); the last 1,000 messages of a room in a Redis list for
// GET /v1/rooms/:room/messages; GET /mem reports memory after a GC (run with --expose-gc).
//
// usage: node --expose-gc server.js <port>   env: YARDSTICK_REDIS_URL (redis://127.0.0.1:16379),
//        PARLEY_JWT_SECRET (required), PARLEY_JWT_ISSUER / PARLEY_JWT_AUDIENCE (parley)
'use strict';
const http = require('node:http');
const crypto = require('node:crypto');
const { Server } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-adapter');
const { createClient } = require('redis');

const port = Number(process.argv[2] || process.env.YARDSTICK_PORT || 3001);
const redisUrl = process.env.YARDSTICK_REDIS_URL || 'redis://127.0.0.1:16379';
const secret = process.env.PARLEY_JWT_SECRET;
const issuer = process.env.PARLEY_JWT_ISSUER || 'parley';
const audience = process.env.PARLEY_JWT_AUDIENCE || 'parley';
if (!secret) {
  console.error('yardstick: PARLEY_JWT_SECRET is required');
  process.exit(64);
}
// The HMAC key is the secret's UTF-8 bytes, as in Parley's contracts (Keys.hs256).
const key = Buffer.from(secret, 'utf8');

function verify(token) {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const expected = crypto.createHmac('sha256', key).update(parts[0] + '.' + parts[1]).digest();
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  let header, claims;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url'));
  } catch (e) { return null; }
  if (header.alg !== 'HS256') return null;
  const now = Date.now() / 1000;
  if (typeof claims.exp !== 'number' || claims.exp < now - 30) return null;
  if (claims.iss !== issuer) return null;
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(audience)) return null;
  return typeof claims.sub === 'string' && claims.sub ? claims.sub : null;
}

const ROOM = /^[A-Za-z0-9_.:-]{1,128}$/;
const fail = (code, message) => ({ success: false, error: message, code }); // seed 004's ack shape, as Parley

async function main() {
  const redis = createClient({ url: redisUrl });
  const sub = redis.duplicate();
  await Promise.all([redis.connect(), sub.connect()]);

  const httpServer = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/mem') {
      if (global.gc) global.gc();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(process.memoryUsage()));
      return;
    }
    const m = /^\/v1\/rooms\/([^/]+)\/messages$/.exec(url.pathname);
    if (m && req.method === 'GET') {
      const auth = req.headers.authorization || '';
      if (!verify(auth.replace(/^Bearer /, ''))) { res.statusCode = 401; res.end(); return; }
      const limit = Math.min(200, Math.max(1, Number(url.searchParams.get('limit') || 50)));
      const items = await redis.lRange('yardstick:history:' + m[1], 0, limit - 1);
      res.setHeader('content-type', 'application/json');
      res.end('{"messages":[' + items.join(',') + ']}');
      return;
    }
    res.statusCode = 404;
    res.end();
  });

  const io = new Server(httpServer, { transports: ['websocket'], serveClient: false });
  io.adapter(createAdapter(redis, sub));
  io.use((socket, next) => {
    const userId = verify(socket.handshake.auth && socket.handshake.auth.token);
    if (!userId) return next(new Error('AUTHENTICATION_FAILED'));
    socket.data.userId = userId;
    next();
  });

  io.on('connection', (socket) => {
    socket.on('join-room', async (data, ack) => {
      if (typeof ack !== 'function') return;
      const roomId = data && data.roomId;
      if (typeof roomId !== 'string' || !ROOM.test(roomId)) return ack(fail('INVALID_ROOM', 'bad room id'));
      socket.join(roomId);
      const seq = Number(await redis.get('yardstick:seq:' + roomId)) || 0;
      ack({ success: true, data: { roomId, seq } });
    });
    socket.on('leave-room', (data, ack) => {
      const roomId = data && data.roomId;
      socket.leave(roomId);
      if (typeof ack === 'function') ack({ success: true, data: { roomId } });
    });
    socket.on('send-message', async (data, ack) => {
      if (typeof ack !== 'function') return;
      const roomId = data && data.roomId;
      const content = data && data.content;
      const messageType = (data && data.messageType) || 'text';
      if (typeof roomId !== 'string' || !ROOM.test(roomId)) return ack(fail('INVALID_ROOM', 'bad room id'));
      if (!socket.rooms.has(roomId)) return ack(fail('AUTHORIZATION_FAILED', 'not a member of the room'));
      if (typeof content !== 'string' || !content.trim() || content.length > 4000) return ack(fail('INVALID_MESSAGE', 'bad content'));
      try {
        const seq = await redis.incr('yardstick:seq:' + roomId);
        // Seed 004's message object (messageWithUser), as Parley sends it.
        const userId = socket.data.userId;
        const message = {
          id: crypto.randomUUID(), roomId, userId, content, messageType, createdAt: new Date().toISOString(),
          user: { id: userId, username: userId, avatarUrl: null }, seq, clientMsgId: data.clientMsgId,
        };
        io.to(roomId).emit('new-message', message);
        const list = 'yardstick:history:' + roomId;
        redis.multi().lPush(list, JSON.stringify(message)).lTrim(list, 0, 999).exec().catch(() => {});
        ack({ success: true, data: message });
      } catch (e) {
        ack(fail('UNAVAILABLE', 'try again'));
      }
    });
  });

  httpServer.listen(port, '127.0.0.1', () => {
    console.log(`yardstick: Socket.IO on ws://127.0.0.1:${port}/socket.io/ (pid ${process.pid}, redis ${redisUrl})`);
  });
  const stop = () => { io.close(); redis.quit().catch(() => {}); sub.quit().catch(() => {}); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => { console.error('yardstick: ' + e.message); process.exit(2); });
