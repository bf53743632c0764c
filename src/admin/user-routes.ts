import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError, NotFoundError, ValidationError } from '../core/errors.js';
import type { Store, User, UserRole } from '../store/index.js';
import { MAX_PASSWORD_LENGTH } from './passwords.js';
import { asBadRequest, changedBy, optionalBody, sees, text, writeCompany } from './route-kit.js';
import { requireRole, sessionUser } from './session.js';
import { ROLES, UserService } from './users.js';

const status = (u: User): 'active' | 'disabled' => (u.disabledAt === null ? 'active' : 'disabled');

const passwordSchema = { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH } as const;
const userParams = { type: 'object', properties: { user_id: text(64) } } as const;

/**
 * Console users through the admin API (admin): what `omnigate user create |
 * disable | password` do, with the same service. A company admin manages its
 * own company's users only, never a platform user.
 */
export async function userRoutes(app: FastifyInstance, deps: { store: Store }): Promise<void> {
  const { store } = deps;
  const admins = { preValidation: requireRole('admin') };

  /** The user named in the path, if this admin may manage them (else 404, like no user). */
  const managed = async (request: FastifyRequest<{ Params: { user_id: string } }>) => {
    const id = request.params.user_id;
    const found = await store.users.findById(id);
    const admin = sessionUser(request);
    // A platform user is managed by platform admins only.
    if (!found || !sees(admin, found.companyId)) {
      throw new NotFoundError(`user ${id.slice(0, 64)} not found`);
    }
    return found;
  };
  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

  app.post<{
    Body: {
      email: string;
      role: UserRole;
      company_id?: string;
      platform?: boolean;
      password?: string;
    };
  }>(
    '/admin/v1/users',
    {
      ...admins,
      schema: {
        body: {
          type: 'object',
          required: ['email', 'role'],
          additionalProperties: false,
          properties: {
            email: { ...text(254), minLength: 1 },
            role: { type: 'string', enum: [...ROLES] },
            company_id: text(64),
            platform: { type: 'boolean' },
            password: passwordSchema,
          },
        },
      },
    },
    async (request, reply) => {
      const user = sessionUser(request);
      const body = request.body;
      let companyId: string | null;
      if (body.platform === true) {
        if (user.companyId !== null) {
          throw new ForbiddenError('forbidden', 'only a platform admin creates platform users');
        }
        if (body.company_id !== undefined) {
          throw new ValidationError('invalid_field', 'give company_id or platform, not both');
        }
        companyId = null;
      } else {
        companyId = await writeCompany(store, user, body.company_id);
      }
      const created = await asBadRequest(() =>
        new UserService(store, changedBy(request)).create({
          email: body.email,
          role: body.role,
          companyId,
          password: body.password,
        }),
      );
      noStore(reply);
      return reply.code(201).send({
        user_id: created.user.userId,
        email: created.user.email,
        role: created.user.role,
        company_id: created.user.companyId,
        status: status(created.user),
        ...(created.generatedPassword ? { password: created.generatedPassword.reveal() } : {}),
      });
    },
  );

  app.post<{ Params: { user_id: string } }>(
    '/admin/v1/users/:user_id/disable',
    { ...admins, schema: { params: userParams } },
    async (request) => {
      const target = await managed(request);
      // The last way back in would be the CLI: an admin does not lock itself out by a click.
      if (target.userId === sessionUser(request).userId) {
        throw new ValidationError('invalid_field', 'you cannot disable your own account');
      }
      const done = await new UserService(store, changedBy(request)).disableUser(target);
      return {
        user_id: done.user.userId,
        status: 'disabled',
        sessions_ended: done.sessionsEnded,
      };
    },
  );

  app.post<{ Params: { user_id: string }; Body: { password?: string } }>(
    '/admin/v1/users/:user_id/password',
    {
      preValidation: [requireRole('admin'), optionalBody],
      schema: {
        params: userParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { password: passwordSchema },
        },
      },
    },
    async (request, reply) => {
      const target = await managed(request);
      const done = await asBadRequest(() =>
        new UserService(store, changedBy(request)).setUserPassword(target, request.body.password),
      );
      noStore(reply);
      return {
        user_id: done.user.userId,
        ...(done.generatedPassword ? { password: done.generatedPassword.reveal() } : {}),
        sessions_ended: done.sessionsEnded,
      };
    },
  );
}
