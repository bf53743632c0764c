import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserService } from '../../src/admin/users.js';
import { generateMasterKey } from '../../src/core/master-key.js';
import { newCompany, startTestGateway, type TestGateway } from './helpers.js';

const PASSWORD = 'correct horse battery staple';

/** Console sessions end by themselves: idle and absolute limits; Secure cookies in production. */
describe('admin sessions: expiry and production cookies', () => {
  let idle: TestGateway;
  let absolute: TestGateway;

  const start = async (env: Record<string, string>) => {
    const t = await startTestGateway({
      NODE_ENV: 'production',
      OMNIGATE_MASTER_KEY: generateMasterKey(),
      ...env,
    });
    const company = await newCompany(t);
    await new UserService(t.gateway.services.store, { actor: 'system' }).create({
      email: 'viewer@example.com',
      role: 'viewer',
      companyId: company.companyId,
      password: PASSWORD,
    });
    return t;
  };

  beforeAll(async () => {
    idle = await start({ OMNIGATE_SESSION_IDLE: '300ms', OMNIGATE_SESSION_MAX_AGE: '1h' });
    absolute = await start({ OMNIGATE_SESSION_IDLE: '1h', OMNIGATE_SESSION_MAX_AGE: '300ms' });
  });

  afterAll(async () => {
    await idle?.close();
    await absolute?.close();
  });

  async function login(t: TestGateway): Promise<{ cookie: string; header: string }> {
    const res = await fetch(`${t.url}/admin/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'viewer@example.com', password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    const header = res.headers.get('set-cookie')!;
    return { cookie: header.split(';')[0]!, header };
  }

  const whoami = (t: TestGateway, cookie: string) =>
    fetch(`${t.url}/admin/v1/session`, { headers: { cookie } });

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('in production the session cookie is Secure (and HttpOnly, SameSite=Strict)', async () => {
    const { header } = await login(idle);
    expect(header).toMatch(/; Secure(;|$)/);
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Strict');
  });

  it('a session unused for longer than OMNIGATE_SESSION_IDLE has ended', async () => {
    const { cookie } = await login(idle);
    await pause(600);
    const res = await whoami(idle, cookie);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'no_session' });
    expect(res.headers.get('set-cookie')).toMatch(/^omnigate_session=; .*Max-Age=0/);
  });

  it('a session older than OMNIGATE_SESSION_MAX_AGE has ended, whatever its activity', async () => {
    const { cookie, header } = await login(absolute);
    expect(header).toContain('Max-Age=1;');
    // Busy: calls keep coming, so only the absolute limit can end it.
    for (let i = 0; i < 4; i += 1) {
      await whoami(absolute, cookie);
      await pause(150);
    }
    await pause(100);
    expect((await whoami(absolute, cookie)).status).toBe(401);
  });
});
