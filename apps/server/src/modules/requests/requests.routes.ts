import { OpenAPIHono, z } from '@hono/zod-openapi';
import {
  ApproveRequest,
  AssignRequest,
  CancelRequest,
  CompleteRequest,
  CompleteTask,
  CreateRequest,
  DataSubjectRequest,
  ExtendRequest,
  RecordFee,
  RefuseRequest,
  RequestCertificate,
  RequestDetail,
  RequestList,
  RequestListQuery,
  RequestStats,
  RequestTask,
  VerifyRequest,
} from '@lawful/contract';
import { type AppEnv, actorOf } from '../../http/context.ts';
import { guarded, IdParam, json, jsonBody, OFFICER, READER, STAFF } from '../../http/route.ts';
import { AppError } from '../../lib/errors.ts';
import type { RequestNotifier } from './requests.notify.ts';
import type { RequestsService } from './requests.service.ts';
import { type RequestTasks, tenantOfTaskToken } from './requests.tasks.ts';

const RequestParam = IdParam('requestId', 'req');
const TaskParam = RequestParam.merge(IdParam('taskId', 'tsk'));
const tags = ['Requests'];

/** The path a recipient's task callback uses; app.ts lets a task token (not an API key) through on it. */
export const taskCallbackPath = /^\/v1\/requests\/req_[0-9A-Z]{26}\/tasks\/tsk_[0-9A-Z]{26}\/complete$/;

export const requestsRoutes = (deps: {
  requests: RequestsService;
  tasks: RequestTasks;
  notifier: RequestNotifier;
  portalLink: (tenantId: string, token: string) => Promise<string>;
}) => {
  const { requests, tasks } = deps;
  const app = new OpenAPIHono<AppEnv>();

  // Another tenant's request is a 404 before its body is judged: a 400 would confirm the id exists somewhere.
  app.use('/v1/requests/:requestId/*', async (c, next) => {
    const p = c.var.principal;
    const id = c.req.param('requestId');
    if (p && /^req_[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) await requests.get(p.tenantId, id);
    await next();
  });

  app.openapi(
    guarded(STAFF, {
      method: 'post',
      path: '/v1/requests',
      tags,
      summary: 'Record a data-subject request (the clock starts now)',
      description:
        'A repeat of an open request for the same subject and type is linked (`duplicateOf`) and closed. Without ' +
        '`identityVerified`, an e-mail identity is sent a confirmation link and code.',
      request: jsonBody(CreateRequest),
      responses: { 201: json(DataSubjectRequest, 'The request') },
    }),
    async (c) => {
      const p = c.var.principal;
      const input = c.req.valid('json');
      const { request, confirmation } = await requests.create(p.tenantId, input, actorOf(p));
      const email = input.identities.find((i) => i.type === 'email')?.value;
      if (confirmation && email) {
        const link = await deps.portalLink(p.tenantId, confirmation.token);
        await deps.notifier.sendConfirmation(p.tenantId, request, email, confirmation, link);
      }
      return c.json(request, 201);
    },
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/requests',
      tags,
      summary: 'List requests, newest first',
      request: { query: RequestListQuery },
      responses: { 200: json(RequestList, 'A page of requests') },
    }),
    async (c) => c.json(await requests.list(c.var.principal.tenantId, c.req.valid('query')), 200),
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/requests/stats',
      tags,
      summary: 'SLA figures: open, due within 7 days, overdue, median days to close',
      responses: { 200: json(RequestStats, 'The figures') },
    }),
    async (c) => c.json(await requests.stats(c.var.principal.tenantId), 200),
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/requests/{requestId}',
      tags,
      summary: 'One request with its timeline and tasks',
      request: { params: RequestParam },
      responses: { 200: json(RequestDetail, 'The request') },
    }),
    async (c) => c.json(await requests.get(c.var.principal.tenantId, c.req.valid('param').requestId), 200),
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/requests/{requestId}/certificate',
      tags,
      summary: 'The signed completion certificate (EdDSA JWS, verifiable with the tenant JWKS)',
      request: { params: RequestParam },
      responses: { 200: json(RequestCertificate, 'The certificate') },
    }),
    async (c) => c.json(await tasks.certificate(c.var.principal.tenantId, c.req.valid('param').requestId), 200),
  );

  const action = <S extends z.ZodType>(
    name: string,
    roles: typeof STAFF,
    schema: S,
    summary: string,
    run: (tenantId: string, id: string, input: z.infer<S>, actor: string) => Promise<DataSubjectRequest>,
  ) =>
    app.openapi(
      guarded(roles, {
        method: 'post',
        path: `/v1/requests/{requestId}/${name}`,
        tags,
        summary,
        request: { params: RequestParam, ...jsonBody(schema) },
        responses: {
          200: json(DataSubjectRequest, 'The request'),
          409: json(z.unknown(), 'Not allowed in this state'),
        },
      }),
      async (c) => {
        const p = c.var.principal;
        // The generic route loses its input types; the schemas above have validated both.
        const { requestId } = c.req.valid('param' as never) as { requestId: string };
        return c.json(await run(p.tenantId, requestId, c.req.valid('json' as never) as z.infer<S>, actorOf(p)), 200);
      },
    );

  action(
    'verify',
    STAFF,
    VerifyRequest,
    'Record that staff established the identity (no ID copies: check 36)',
    requests.verify,
  );
  action(
    'extend',
    STAFF,
    ExtendRequest,
    'Extend the deadline once, with a reason the subject is told (check 33)',
    requests.extend,
  );
  action(
    'reject',
    OFFICER,
    RefuseRequest,
    'Refuse with grounds; the subject is told how to complain (check 34)',
    requests.reject,
  );
  action('complete', STAFF, CompleteRequest, 'Close the request once its work is done', tasks.complete);
  action('cancel', STAFF, CancelRequest, 'Cancel (the subject withdrew, or staff closed it)', requests.cancel);
  action('assign', STAFF, AssignRequest, 'Assign to an agent (or unassign with null)', requests.assign);
  action('approve', OFFICER, ApproveRequest, 'Approve the work (erasure needs a privacy officer)', (t, id, i, a) =>
    requests.approve(t, id, i.note, a),
  );
  action(
    'fee',
    OFFICER,
    RecordFee,
    'Record a fee with its manifestly unfounded/excessive finding (check 35)',
    requests.recordFee,
  );

  app.openapi(
    guarded(STAFF, {
      method: 'post',
      path: '/v1/requests/{requestId}/tasks',
      tags,
      summary: 'Add a manual task with a checklist',
      request: {
        params: RequestParam,
        ...jsonBody(
          z
            .object({
              name: z.string().trim().min(1).max(200),
              checklist: z.array(z.string().trim().min(1).max(500)).min(1).max(50),
            })
            .strict(),
        ),
      },
      responses: { 201: json(RequestTask, 'The task') },
    }),
    async (c) => {
      const p = c.var.principal;
      return c.json(
        await tasks.addManualTask(p.tenantId, c.req.valid('param').requestId, c.req.valid('json'), actorOf(p)),
        201,
      );
    },
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/requests/{requestId}/tasks/{taskId}',
      tags,
      summary: 'One task',
      request: { params: TaskParam },
      responses: { 200: json(RequestTask, 'The task') },
    }),
    async (c) => {
      const { requestId, taskId } = c.req.valid('param');
      return c.json(await tasks.task(c.var.principal.tenantId, requestId, taskId), 200);
    },
  );

  // Recipients hold a task token, not an API key; staff may settle manual and recipient tasks with a STAFF key.
  const settle = app.openapi(
    {
      method: 'post',
      path: '/v1/requests/{requestId}/tasks/{taskId}/complete',
      tags,
      summary: 'Report a task done (task token from the request.task webhook, or a STAFF API key)',
      security: [{ apiKey: [] }],
      request: { params: TaskParam, ...jsonBody(CompleteTask) },
      responses: { 200: json(RequestTask, 'The task') },
    },
    async (c) => {
      const { requestId, taskId } = c.req.valid('param');
      const input = c.req.valid('json');
      const p = c.var.principal;
      if (p) {
        if (!STAFF.includes(p.role))
          throw new AppError('FORBIDDEN', `this action needs one of the roles: ${STAFF.join(', ')}`);
        return c.json(await tasks.completeTask(p.tenantId, requestId, taskId, input, { actor: actorOf(p) }), 200);
      }
      const token = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? '';
      const tenantId = tenantOfTaskToken(token);
      if (!tenantId) throw new AppError('UNAUTHENTICATED', 'a task token or API key is required');
      return c.json(await tasks.completeTask(tenantId, requestId, taskId, input, { token }), 200);
    },
  );
  return settle;
};
