import { expect } from 'chai';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  DEFAULT_LOGIN_THROTTLE,
  delayAfter,
  reserveLoginAttempt,
  sourceOf,
} from '../../../functions/auth/login-throttle';
import { loginSourceKey } from '../../../functions/lib/token-table';
import { createTable, startLocalDynamo, type LocalDynamo } from '../../../local/dynamodb';

const TABLE = 'scopegate-throttle-test';
const NOW = 1_800_000_000;

describe('login throttle', () => {
  let dynamo: LocalDynamo;
  before(async () => {
    dynamo = await startLocalDynamo();
    await createTable(dynamo.client, TABLE);
  });
  after(() => dynamo.close());
  const db = () => ({ documents: dynamo.documents, tableName: TABLE });

  describe('sourceOf', () => {
    it('keeps an IPv4 address, maps IPv4-in-IPv6 to it, and groups IPv6 by /64', () => {
      expect(sourceOf('203.0.113.7')).to.equal('203.0.113.7');
      expect(sourceOf('::ffff:203.0.113.7')).to.equal('203.0.113.7');
      expect(sourceOf('2001:db8:0:1:aaaa::1')).to.equal('2001:db8:0:1::/64');
      expect(sourceOf('2001:0DB8:0000:0001:ffff:ffff:ffff:ffff')).to.equal('2001:db8:0:1::/64');
      expect(sourceOf('2001:db8::1')).to.equal('2001:db8:0:0::/64');
      expect(sourceOf('::1')).to.equal('0:0:0:0::/64');
    });

    it('puts a missing or malformed address in one shared bucket', () => {
      expect(sourceOf(undefined)).to.equal('unknown');
      expect(sourceOf('')).to.equal('unknown');
      expect(sourceOf('not-an-ip')).to.equal('unknown');
      expect(sourceOf('203.0.113.7, 10.0.0.1')).to.equal('unknown');
    });
  });

  describe('delayAfter', () => {
    it('lets four attempts pass freely, then waits 15 s after the fifth, doubling up to 15 minutes', () => {
      const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 1000].map((n) =>
        delayAfter(DEFAULT_LOGIN_THROTTLE, n),
      );
      expect(delays).to.deep.equal([0, 0, 0, 0, 15, 30, 60, 120, 240, 480, 900, 900]);
    });
  });

  describe('reserveLoginAttempt', () => {
    it('counts every reservation that proceeds, so 20 concurrent ones get no more than the free attempts', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () =>
          reserveLoginAttempt(db(), DEFAULT_LOGIN_THROTTLE, 'race', '192.0.2.9', NOW),
        ),
      );
      const passed = outcomes.filter((outcome) => outcome.ok).length;
      expect(passed).to.be.within(1, DEFAULT_LOGIN_THROTTLE.freeAttempts);
      for (const outcome of outcomes.filter((o) => !o.ok)) {
        expect(outcome).to.have.property('retryAfterSeconds').that.is.oneOf([1, 15]);
      }
      // One conditional write per reservation that proceeded: none was lost to a concurrent one.
      const { Item } = await dynamo.documents.send(
        new GetCommand({ TableName: TABLE, Key: loginSourceKey('race', '192.0.2.9'), ConsistentRead: true }),
      );
      expect(Item).to.include({ attempts: passed, revision: passed });
    });

    it('forgets a source whose item is past its expiry, as DynamoDB TTL would', async () => {
      for (let i = 0; i < 5; i += 1) {
        expect(
          (await reserveLoginAttempt(db(), DEFAULT_LOGIN_THROTTLE, 'old', '192.0.2.10', NOW)).ok,
        ).to.equal(true);
      }
      expect(await reserveLoginAttempt(db(), DEFAULT_LOGIN_THROTTLE, 'old', '192.0.2.10', NOW)).to.deep.equal(
        {
          ok: false,
          retryAfterSeconds: 15,
        },
      );
      const later = NOW + DEFAULT_LOGIN_THROTTLE.forgetSeconds + 1;
      expect(
        (await reserveLoginAttempt(db(), DEFAULT_LOGIN_THROTTLE, 'old', '192.0.2.10', later)).ok,
      ).to.equal(true);
      const { Item } = await dynamo.documents.send(
        new GetCommand({ TableName: TABLE, Key: loginSourceKey('old', '192.0.2.10'), ConsistentRead: true }),
      );
      expect(Item).to.include({ attempts: 1, revision: 6 });
    });
  });
});
