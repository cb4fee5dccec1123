# syntax=docker/dockerfile:1
# Multi-stage: dependencies are installed in a throwaway stage, the runtime image has only
# production packages and what the app reads at run time (Node 24 runs the TypeScript
# sources directly; there is no build step).
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-slim
ENV NODE_ENV=production PORT=3000
WORKDIR /app
# Owned by root and read-only for the app's user: the process cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY flows ./flows
COPY locales ./locales
COPY assets ./assets
USER node
EXPOSE 3000
# Liveness: the process answers HTTP. Both roles serve /healthz on their PORT (the worker
# role too, with /readyz and /metrics), so one check fits web and worker containers.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM (docker stop) starts the graceful shutdown in src/main.ts.
CMD ["node", "src/main.ts"]
