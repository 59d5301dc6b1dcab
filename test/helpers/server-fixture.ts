/** The servers and clients one test file starts, all stopped after its last test, also when a test fails. */
import { after } from 'node:test';
import { launchServer, type LaunchedServer, type LaunchOptions } from '../../servers/launch.js';
import { TestClient } from './zen-client.js';

export interface ServerFixture {
  start: (options: LaunchOptions) => Promise<LaunchedServer>;
  connect: (server: LaunchedServer) => Promise<TestClient>;
}

export function serverFixture(): ServerFixture {
  const started: LaunchedServer[] = [];
  const clients: TestClient[] = [];
  after(async () => {
    for (const client of clients) client.close();
    await Promise.all(started.map((server) => server.stop()));
  });
  return {
    start: async (options) => {
      const server = await launchServer(options);
      started.push(server);
      return server;
    },
    connect: async (server) => {
      const client = await TestClient.connect(server.port);
      clients.push(client);
      return client;
    },
  };
}
