/**
 * The deployment files (Dockerfile, deploy/compose.yaml, deploy/k8s) cannot be run here: no image
 * can be built. What would break them silently is checked instead: they agree with one another and
 * with serve-model (its port, its probe routes, the bundle under the read-only mount, the nginx
 * config they mount), they keep the replicas unprivileged, and the health checks they run answer as
 * they should from a real server, alive but loading and then ready.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ModelServer } from '../src/serving';
import { initTensorFlow } from '../src/tf-backend';
import { request } from '../dev';
import { tinyPipeline } from './helpers/pipeline-bundle';

const ROOT = join(__dirname, '..');
const DEPLOY = join(ROOT, 'deploy');
const yamlFile = (file: string): unknown => parse(readFileSync(join(DEPLOY, file), 'utf8'));

/** The parts of the files read here. */
interface Compose {
  services: {
    model: {
      build: { context: string };
      command: string[];
      volumes: string[];
      deploy: { replicas: number };
      expose: string[];
      healthcheck: { test: string[] };
    };
    nginx: {
      command: string[];
      volumes: string[];
      ports: string[];
      depends_on: Record<string, { condition: string }>;
    };
  };
}
interface Manifest<Spec> {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Spec;
}
type Labels = Record<string, string>;
interface Container {
  args: string[];
  ports: { name: string; containerPort: number }[];
  readinessProbe: { httpGet: object };
  livenessProbe: { httpGet: object };
  securityContext: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
  resources: { requests?: { cpu?: string } };
}
type Deployment = Manifest<{
  selector: { matchLabels: Labels };
  template: {
    metadata: { labels: Labels };
    spec: {
      securityContext: { runAsNonRoot?: boolean };
      containers: Container[];
      volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[];
    };
  };
}>;
type Service = Manifest<{ selector: Labels; ports: { targetPort: string }[] }>;
type Autoscaler = Manifest<{
  scaleTargetRef: { kind: string; name: string };
  metrics: { resource: { name: string } }[];
}>;

/** The Dockerfile's instructions of its last (runtime) stage, continuation lines joined. */
function runtimeStage(): { stages: number; instructions: [string, string][] } {
  const lines = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'));
  const starts = lines.flatMap((l, i) => (/^FROM /.test(l) ? [i] : []));
  const instructions = lines.slice(starts.at(-1)).map((l) => {
    const [, name, rest] = /^(\S+)\s+(.*)$/.exec(l)!;
    return [name, rest] as [string, string];
  });
  return { stages: starts.length, instructions };
}
const instruction = (name: string) =>
  runtimeStage()
    .instructions.filter(([n]) => n === name)
    .map(([, v]) => v);

const docker = (() => {
  const entrypoint = JSON.parse(instruction('ENTRYPOINT')[0]) as string[];
  const port = Number(entrypoint[entrypoint.indexOf('--port') + 1]);
  const healthcheck = JSON.parse(/CMD (\[.*\])$/.exec(instruction('HEALTHCHECK')[0])![1]) as string[];
  return { entrypoint, port, healthcheck, cmd: JSON.parse(instruction('CMD')[0]) as string[] };
})();

/**
 * Runs a container's check command (`node -e …`) against `port` instead of the image's: its exit code.
 * Asynchronously, since the server it asks runs in this process.
 */
function check(command: string[], port: number): Promise<number | null> {
  expect(command.slice(0, 2)).toEqual(['node', '-e']);
  const script = command[2].replace(`:${docker.port}/`, `:${port}/`);
  expect(script).not.toBe(command[2]);
  return new Promise((resolve) =>
    execFile(process.execPath, ['-e', script], { timeout: 20_000 }, (error) =>
      resolve(error ? (typeof error.code === 'number' ? error.code : null) : 0),
    ),
  );
}

describe('Dockerfile', () => {
  it('builds in one stage and runs in another, as the unprivileged node user', () => {
    const { stages } = runtimeStage();
    expect(stages).toBeGreaterThanOrEqual(2);
    expect(instruction('USER')).toEqual(['node']);
    expect(instruction('FROM')[0]).toMatch(/^node:20-slim/);
  });

  it('serves the bundle under /bundles on the exposed port, on every interface', () => {
    expect(docker.entrypoint.slice(0, 3)).toEqual(['node', '/app/bin/reclab.mjs', 'serve-model']);
    expect(docker.entrypoint).toContain('0.0.0.0');
    expect(instruction('EXPOSE')).toEqual([String(docker.port)]);
    expect(docker.cmd[0]).toMatch(/^\/bundles\/[^/]+$/);
    // What the runtime stage copies is what bin/reclab.mjs loads.
    const copied = instruction('COPY').join(' ');
    for (const needed of ['bin', 'src', 'tsconfig.json', 'node_modules']) expect(copied).toContain(needed);
  });

  it('keeps the build context to what the image copies', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8');
    expect(ignore).toMatch(/^\*$/m);
    for (const kept of ['package.json', 'package-lock.json', 'tsconfig.json', 'bin/', 'src/'])
      expect(ignore).toContain(`!${kept}`);
  });
});

describe('deploy/compose.yaml', () => {
  const { model, nginx } = (yamlFile('compose.yaml') as Compose).services;

  it('runs three replicas of the image on the bundles folder mounted read-only', () => {
    expect(model.deploy.replicas).toBe(3);
    expect(model.build.context).toBe('..');
    expect(model.volumes).toHaveLength(1);
    expect(model.volumes[0]).toMatch(/:\/bundles:ro$/);
    expect(model.command[0]).toMatch(/^\/bundles\//);
    expect(model.expose).toEqual([String(docker.port)]);
  });

  it('puts the repository’s nginx config in front, its upstream naming the model service', () => {
    const [folder, mounted] = nginx.volumes[0].split(':');
    expect(existsSync(join(DEPLOY, folder, 'nginx.conf'))).toBe(true);
    const config = nginx.command[nginx.command.indexOf('-c') + 1];
    expect(config).toBe(`${mounted}/nginx.conf`);
    const replicas = readFileSync(join(DEPLOY, folder, 'replicas.conf'), 'utf8');
    expect(replicas).toMatch(new RegExp(`^server model:${docker.port} `, 'm'));
    const listen = readFileSync(join(DEPLOY, folder, 'listen.conf'), 'utf8');
    const port = /listen (\d+);/.exec(listen)![1];
    expect(nginx.ports[0]).toMatch(new RegExp(`:${port}$`));
    expect(nginx.depends_on.model.condition).toBe('service_healthy');
  });
});

describe('deploy/k8s', () => {
  const docs = readdirSync(join(DEPLOY, 'k8s'))
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(DEPLOY, 'k8s', f), 'utf8')).map(
        (d) => d.toJS() as Manifest<unknown>,
      ),
    );
  const of = <M>(kind: string) => docs.find((d) => d.kind === kind) as M;
  const deployment = of<Deployment>('Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  it('lists every manifest in its kustomization', () => {
    const listed = (yamlFile('k8s/kustomization.yaml') as { resources: string[] }).resources;
    expect(listed.sort()).toEqual(
      readdirSync(join(DEPLOY, 'k8s'))
        .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
        .sort(),
    );
    expect(docs.map((d) => d.kind).sort()).toEqual([
      'Deployment',
      'HorizontalPodAutoscaler',
      'PersistentVolumeClaim',
      'Service',
    ]);
  });

  it('probes readiness on /ready and liveness on /health, on the image’s port', () => {
    const port = container.ports.find((p) => p.containerPort === docker.port);
    expect(port).toBeDefined();
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: port!.name });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: port!.name });
  });

  it('runs unprivileged on the bundles volume mounted read-only', () => {
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    const mount = container.volumeMounts.find((m) => m.name === 'bundles')!;
    expect(mount.readOnly).toBe(true);
    expect(container.args[0].startsWith(`${mount.mountPath}/`)).toBe(true);
    const volume = pod.volumes.find((v) => v.name === 'bundles')!;
    expect(volume.persistentVolumeClaim?.claimName).toBe(
      of<Manifest<unknown>>('PersistentVolumeClaim').metadata.name,
    );
    // A read-only root needs a writable /tmp: tsx caches its compiled sources there.
    if (container.securityContext.readOnlyRootFilesystem)
      expect(container.volumeMounts.map((m) => m.mountPath)).toContain('/tmp');
  });

  it('serves the ready pods as one Service and scales them on CPU', () => {
    const service = of<Service>('Service');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
    expect(container.ports.map((p) => p.name)).toContain(service.spec.ports[0].targetPort);
    const hpa = of<Autoscaler>('HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
    // Utilisation is a share of the request: without one the HPA cannot scale.
    expect(container.resources.requests?.cpu).toBeDefined();
  });
});

describe('the health checks against a real server', () => {
  const root = mkdtempSync(join(tmpdir(), 'reclab-deploy-'));
  const servers: ModelServer[] = [];
  let loading: string;
  let ready: string;

  beforeAll(async () => {
    await initTensorFlow('wasm');
    const bundle = join(root, 'bundle');
    await (await tinyPipeline(5)).pipe.export(bundle);
    const start = async (loadDelayMs: number) => {
      const server = new ModelServer({ bundle, port: 0, log: () => {}, testHooks: { loadDelayMs } });
      servers.push(server);
      const { url, loaded } = await server.start();
      return { url, loaded };
    };
    loading = (await start(600_000)).url;
    const r = await start(0);
    await r.loaded;
    ready = r.url;
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.drain()));
    rmSync(root, { recursive: true, force: true });
  });

  const port = (url: string) => Number(new URL(url).port);
  const compose = (yamlFile('compose.yaml') as Compose).services.model.healthcheck.test.slice(1);

  it('the image’s check passes while the process is alive, loaded or not, and fails when it is gone', async () => {
    expect(await check(docker.healthcheck, port(loading))).toBe(0);
    expect(await check(docker.healthcheck, port(ready))).toBe(0);
    expect(await check(docker.healthcheck, 1)).toBe(1);
  });

  it('compose’s check and the readiness probe pass once the bundle is loaded, not before', async () => {
    expect(await check(compose, port(loading))).toBe(1);
    expect(await check(compose, port(ready))).toBe(0);
    expect((await request(`${loading}/ready`)).status).toBe(503);
    expect((await request(`${ready}/ready`)).status).toBe(200);
    expect((await request(`${loading}/health`)).status).toBe(200);
  });
});
