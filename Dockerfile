# Mock 3DS Server image. Build stage compiles TypeScript; the runtime stage carries production
# dependencies only and runs as the non-root `node` user under tini.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=development \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/app/data
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config ./config
# Served at GET /openapi.json (src/http/routes/openapi.ts reads it next to dist/).
COPY docs/openapi.json ./docs/openapi.json
COPY scripts/healthcheck.mjs ./scripts/healthcheck.mjs
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080
# The healthcheck reads PORT, HEALTH_PATH and TLS_ENABLED as the server does: with TLS_ENABLED=true it probes over https.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 CMD ["node", "scripts/healthcheck.mjs"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
