// The /graphql page: Apollo Sandbox, which loads from Apollo's CDN. Offline, or behind a firewall
// that blocks the CDN, Apollo's page says only that Sandbox cannot be loaded; this one also points
// to the console's explorer (GraphiQL, bundled and served by Switchyard itself, src/console/).
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';

export const EXPLORER_PATH = '/console/explorer';
const OFFLINE = /<p>Apollo Sandbox cannot be loaded;[^<]*<\/p>/;
const POINTER = `<p>Apollo Sandbox cannot be loaded: it comes from Apollo's CDN, which this browser cannot reach.</p>
  <p>Explore the graph with the console's explorer instead, served by this server: <a href="${EXPLORER_PATH}">${EXPLORER_PATH}</a> (sign in with an admin or operator API key).</p>`;

export function sandboxLandingPage(): ApolloServerPlugin {
  const sandbox = ApolloServerPluginLandingPageLocalDefault({ embed: true });
  return {
    async serverWillStart(service) {
      const listener = await sandbox.serverWillStart?.(service);
      if (!listener?.renderLandingPage) return listener;
      const render = listener.renderLandingPage.bind(listener);
      return {
        ...listener,
        async renderLandingPage() {
          const page = await render();
          const html = page.html;
          return {
            ...page,
            html: async () => {
              const text = typeof html === 'string' ? html : await html();
              return text.replace(OFFLINE, POINTER);
            },
          };
        },
      };
    },
  };
}
