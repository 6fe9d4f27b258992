// The chat demo: `npx sticky start` here, then open http://localhost:3000 in a few browsers.
// Clients are routed by their address: tabs on one machine share it, so they share a worker;
// open the page from another device to be served by another one.
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
