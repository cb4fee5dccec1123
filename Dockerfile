# syntax=docker/dockerfile:1
# Multi-stage: dependencies are installed in a throwaway stage, the runtime image has only
# production packages and the source (Node 24 runs TypeScript directly; there is no build).
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-slim
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY flows ./flows
COPY locales ./locales
COPY assets ./assets
USER node
EXPOSE 3000
# Liveness of the web role; the worker role has no HTTP server, compose overrides it there.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "src/main.ts"]
