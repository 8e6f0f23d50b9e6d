# Esc's container image. Three stages: compile (with dev tools), production dependencies,
# and the runtime (Node 22 LTS slim, non-root, no npm as PID 1).
#   docker build -t esc .
#   docker run --env-file .env -p 3000:3000 esc        (or: docker compose up, see compose.yaml)
# scripts/image-smoke.sh performs these same steps outside a container (CI): keep them in step.

FROM node:22-slim AS build
WORKDIR /src
# botbuilder-dialogs runs `npx rimraf` while installing: .npmrc says yes=true.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

FROM node:22-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:22-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY config ./config
COPY cards ./cards
# The image's `node` user (uid 1000); it owns nothing it could rewrite.
USER node
EXPOSE 3000
# Ready = the database answers, the organisation is loaded, the engine passes (README, Operations).
HEALTHCHECK --interval=15s --timeout=3s --start-period=40s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
