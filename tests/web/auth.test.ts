import { describe, expect, it } from 'vitest';
import { ACTIONS, ROLES } from '../../functions/src/core/auth/model';
import { isAllowed, POLICY } from '../../functions/src/core/auth/policy';
import { MINIMUM_ROLE, roleMay, sessionOf } from '../../web/lib/policy';

describe("the portal's copy of the policy table", () => {
  it('equals the core policy, action by action', () => {
    const fromCore = Object.fromEntries(ACTIONS.map((a) => [a, POLICY[a].kind === 'role' ? POLICY[a].role : POLICY[a].kind]));
    expect(MINIMUM_ROLE).toEqual(fromCore);
  });

  it('answers can(action) as the server decides for every role', () => {
    for (const action of ACTIONS) {
      for (const role of ROLES) {
        expect(roleMay(role, action), `${role} ${action}`).toBe(isAllowed({ kind: 'user', subject: 's', name: 'n', role, sourceIp: null }, action));
      }
      expect(roleMay(null, action)).toBe(action === 'public');
    }
  });
});

describe('sessionOf', () => {
  const token = (claims: Record<string, unknown>) => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;
  it('reads the name and the highest role from the token, like the server', () => {
    expect(sessionOf(token({ sub: 'x', username: 'olu', 'cognito:groups': ['viewer', 'operator'], exp: 2_000_000_000 }))).toEqual({
      token: token({ sub: 'x', username: 'olu', 'cognito:groups': ['viewer', 'operator'], exp: 2_000_000_000 }),
      user: { name: 'olu', role: 'operator' },
      expiresAt: new Date(2_000_000_000_000).toISOString(),
    });
    expect(sessionOf(token({ sub: 'x', exp: 1 }))!.user.role).toBeNull();
    expect(sessionOf('garbage')).toBeNull();
  });
});
