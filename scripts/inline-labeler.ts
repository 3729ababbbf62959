// The plain inline Probot app `npm run bench:compare` measures Shepherd against: it labels a new
// issue inside its webhook handler, the way most Probot apps are written, with Probot's default
// Octokit (its retry and throttling plugins on, in memory per process) and the same labelling
// decision as Shepherd (the Django preset, `decideTriage`). Started as a process by the benchmark:
// `node dist/scripts/inline-labeler.js` with APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, GHE_HOST, PORT.
import { createServer } from "node:http";
import { createNodeMiddleware, createProbot } from "probot";
import { djangoAsyncPreset } from "../src/config/presets/django-async.js";
import { TriageConfig } from "../src/config/schema.js";
import { classify, compileModel } from "../src/domain/classifier.js";
import { decideTriage } from "../src/domain/triage.js";

const compiled = compileModel(djangoAsyncPreset);
const settings = TriageConfig.parse({ explain: "none", milestones: false });

const probot = createProbot({ env: process.env });

const middleware = await createNodeMiddleware(
  (app) => {
    app.on("issues.opened", async (context) => {
      const issue = context.payload.issue;
      const labels = (issue.labels ?? []).map((label) => (typeof label === "string" ? label : label.name));
      const decision = decideTriage({
        kind: "issue",
        labels,
        milestone: null,
        classification: classify(compiled, {
          kind: "issue",
          title: issue.title,
          body: issue.body ?? "",
          milestone: null,
        }),
        memory: { owned: [], removed: [] },
        settings,
        model: djangoAsyncPreset,
        milestones: null,
        inherited: null,
      });
      if (decision.add.length > 0) await context.octokit.rest.issues.addLabels(context.issue({ labels: decision.add }));
    });
  },
  { probot, webhooksPath: "/api/github/webhooks" },
);

const server = createServer((req, res) => {
  void middleware(req, res, () => {
    res.writeHead(404).end();
  });
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  // The same ready line as Shepherd's web role, so one harness starts both.
  process.stdout.write(`${JSON.stringify({ level: 30, msg: "web role listening", port })}\n`);
});
