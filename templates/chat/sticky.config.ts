// The chat demo: `npx sticky start` here, then open http://localhost:3000 in a few browsers.
import { defineConfig } from 'socketio-sticky-session';

export default defineConfig({
  name: 'chat',
  script: './server.js',
  port: 3000,
  workers: 2,
  // Relay @socket.io/cluster-adapter messages between the workers, so a message sent on one
  // worker reaches the pages of every worker (server.js sets the adapter).
  broadcast: 'cluster',
  // Short drains suit a demo: pages are told to reconnect when their worker drains anyway.
  reload: { drainTimeoutMs: 5_000 },
});
