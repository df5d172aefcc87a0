// The hospital's identity provider, for the sign-in tests: oidc-provider (certified) on 127.0.0.1.
// Settings come from the environment (tests/sso.py starts it):
//   OIDC_TEST_PORT, OIDC_TEST_ISSUER, OIDC_TEST_CLIENTS (JSON list of client metadata),
//   OIDC_TEST_ACCOUNTS (a JSON file: login -> claims, read at every sign-in, so a test may change it),
//   OIDC_TEST_CLOCK_SKEW (seconds: a provider whose clock is wrong).
// Anyone may sign in with any password (the provider's development login screen): what is tested is TumorBoard.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const env = process.env;
const skew = Number(env.OIDC_TEST_CLOCK_SKEW || 0) * 1000;
if (skew) {
  const realNow = Date.now;
  Date.now = () => realNow() + skew;
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const provider = new Provider(env.OIDC_TEST_ISSUER, {
  clients: JSON.parse(env.OIDC_TEST_CLIENTS),
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' }] },
  cookies: { keys: ['test-only-cookie-key'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true },
  ttl: { IdToken: 300 },
  async findAccount(ctx, id) {
    const accounts = JSON.parse(readFileSync(env.OIDC_TEST_ACCOUNTS, 'utf8'));
    return { accountId: id, async claims() { return { sub: id, ...(accounts[id] || {}) }; } };
  },
});
provider.proxy = false;
provider.listen(Number(env.OIDC_TEST_PORT), '127.0.0.1', () => console.log('ready'));
