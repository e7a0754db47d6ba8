# syntax=docker/dockerfile:1
# `reclab serve-model` as an image: the model server alone (no workbench, no Electron).
#   docker build -t reclab-model .
#   docker run -v "$PWD/bundles:/bundles:ro" -p 8080:8080 reclab-model /bundles/shop
# The bundle folder's parent is mounted, not the folder: pipeline.export() swaps a new version in by
# renaming folders, which a mount of the folder itself would not see.

# Build stage: the runtime dependencies, installed from the lockfile.
FROM node:20-slim AS build
WORKDIR /app
# Electron is a devDependency, left out anyway; this keeps its installer from downloading if asked.
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1
COPY package.json package-lock.json ./
# tsx stays: bin/reclab.mjs runs the TypeScript sources through it. The native TensorFlow.js
# backends are optional: where their binaries cannot be fetched, TensorFlow.js runs on WebAssembly.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Runtime stage: Node, the dependencies and the sources, run as the unprivileged `node` user.
FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
USER node
EXPOSE 8080
# Alive, not ready: /ready says whether the bundle is loaded (compose and Kubernetes ask it apart).
# node:20-slim has no curl; Node's own fetch asks.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Listens on every interface of the container (the default is loopback only). The command is the
# bundle folder and any further options: `reclab-model /bundles/shop --workers 2`.
ENTRYPOINT ["node", "/app/bin/reclab.mjs", "serve-model", "--host", "0.0.0.0", "--port", "8080"]
CMD ["/bundles/current"]
