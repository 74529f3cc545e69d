import { describe, expect, it } from 'vitest';
import { ACTIONS, ANONYMOUS, ROLES, type Action, type Principal, type Role } from '../../functions/src/core/auth/model';
import { authorize, isAllowed, minimumRole, POLICY, requirementOf } from '../../functions/src/core/auth/policy';
import { roleOfGroups } from '../../functions/src/core/auth/principal';
import { ForbiddenError, UnauthorizedError } from '../../functions/src/core/errors';

const user = (role: Role | null): Principal => ({ kind: 'user', subject: `u-${role}`, name: `${role ?? 'nobody'}@example.com`, role, sourceIp: '127.0.0.1' });
const token = (kind: 'producer' | 'agent'): Principal => ({ kind, subject: `t-${kind}`, name: `${kind} token`, role: null, sourceIp: null });

/** The expected table, written out independently of POLICY so a changed line fails here. */
const EXPECTED: Record<Action, Role | 'public' | 'producer' | 'agent'> = {
  public: 'public',
  'events:read': 'viewer',
  'events:ingest': 'producer',
  'deadLetters:read': 'viewer',
  'deadLetters:replay': 'operator',
  'rollouts:read': 'viewer',
  'rollouts:start': 'operator',
  'rollouts:operate': 'operator',
  'gates:decide': 'operator',
  'health:read': 'viewer',
  'alerts:read': 'viewer',
  'alerts:ack': 'operator',
  'silences:write': 'operator',
  'observations:push': 'agent',
  'live:subscribe': 'viewer',
  'costs:read': 'viewer',
  'costs:import': 'admin',
  'settings:read': 'viewer',
  'settings:write': 'admin',
  'tokens:read': 'admin',
  'tokens:manage': 'admin',
  'users:read': 'admin',
  'audit:read': 'admin',
  'audit:verify': 'admin',
};

describe('the policy table', () => {
  it('has one line for every action', () => {
    expect(Object.keys(POLICY).sort()).toEqual([...ACTIONS].sort());
  });

  for (const action of ACTIONS) {
    const want = EXPECTED[action];
    it(`${action}: ${want}`, () => {
      const r = requirementOf(action);
      if (want === 'public') {
        expect(r).toEqual({ kind: 'public' });
        for (const p of [ANONYMOUS, user(null), token('producer')]) expect(() => authorize(p, action)).not.toThrow();
        return;
      }
      expect(() => authorize(ANONYMOUS, action)).toThrow(UnauthorizedError);
      if (want === 'producer' || want === 'agent') {
        expect(r).toEqual({ kind: 'token', token: want });
        expect(minimumRole(action)).toBeNull();
        expect(() => authorize(token(want), action)).not.toThrow();
        expect(() => authorize(token(want === 'producer' ? 'agent' : 'producer'), action)).toThrow(ForbiddenError);
        for (const role of ROLES) expect(() => authorize(user(role), action)).toThrow(ForbiddenError);
        return;
      }
      expect(minimumRole(action)).toBe(want);
      const min = ROLES.indexOf(want);
      for (const [i, role] of ROLES.entries()) expect(isAllowed(user(role), action), `${role} ${action}`).toBe(i >= min);
      expect(() => authorize(user(null), action)).toThrow(ForbiddenError);
      expect(() => authorize(token('producer'), action)).toThrow(ForbiddenError);
      expect(() => authorize(token('agent'), action)).toThrow(ForbiddenError);
    });
  }

  it('names the action and the role needed when refusing', () => {
    try {
      authorize(user('viewer'), 'alerts:ack');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ForbiddenError);
      expect((err as ForbiddenError).message).toMatch(/alerts:ack needs role operator or higher; viewer@example.com has role viewer/);
      expect((err as ForbiddenError).code).toBe('forbidden');
    }
  });
});

describe('roleOfGroups', () => {
  it('takes the highest known group and ignores others', () => {
    expect(roleOfGroups(['viewer', 'admin', 'operator'])).toBe('admin');
    expect(roleOfGroups(['ops-team', 'viewer'])).toBe('viewer');
    expect(roleOfGroups(['Admin'])).toBeNull();
    expect(roleOfGroups(undefined)).toBeNull();
    expect(roleOfGroups('admin')).toBeNull();
  });
});
