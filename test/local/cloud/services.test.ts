import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCloud, type LocalService, startLocal } from "../../../tools/local/index.ts";
import { editedFixtureCloudAssembly } from "../../fixtures/local/synth-once.ts";
import { waitFor } from "../../helpers/wait.ts";

/** A made-up service: a `Custom::Widget` resource and event source mappings that read from it. */
function widgetService(created: Array<Record<string, unknown>>): LocalService {
  return {
    name: "widgets",
    async start() {
      return { endpoints: { widgets: "widget://local" }, environment: { EXTRA: "from-extension" } };
    },
    resourceTypes: {
      "Custom::Widget": {
        parity: "widgets",
        plan: (logicalId, _resource, ctx) => ({
          ref: `widget-${logicalId}`,
          attributes: {
            Arn: `arn:aws:widget:${ctx.region}:${ctx.accountId}:${logicalId}`,
            Url: `widget://local/${logicalId}`,
          },
        }),
        create: async ({ logicalId, props }) => {
          created.push({ logicalId, ...props });
        },
      },
    },
    eventSource({ props, invoke }) {
      if (!String(props.EventSourceArn).startsWith("arn:aws:widget:")) return undefined;
      return {
        start: () => void invoke(JSON.stringify({ fromWidget: props.EventSourceArn })),
        stop: async () => undefined,
      };
    },
  };
}

let fixture: ReturnType<typeof editedFixtureCloudAssembly>;
let cloud: LocalCloud;
const created: Array<Record<string, unknown>> = [];
beforeAll(async () => {
  fixture = editedFixtureCloudAssembly("local-extension-", (template) => {
    const echo = Object.keys(template.Resources).find((id) => /^Echo[0-9A-F]{8}$/.test(id)) as string;
    template.Resources.Gadget = {
      Type: "Custom::Widget",
      Properties: {
        Size: 3,
        Queue: { Ref: Object.keys(template.Resources).find((id) => /^Work[0-9A-F]{8}$/.test(id)) as string },
      },
    };
    template.Resources.GadgetMapping = {
      Type: "AWS::Lambda::EventSourceMapping",
      Properties: { EventSourceArn: { "Fn::GetAtt": ["Gadget", "Arn"] }, FunctionName: { Ref: echo } },
    };
    template.Outputs.GadgetUrl = { Value: { "Fn::GetAtt": ["Gadget", "Url"] } };
  });
  cloud = await startLocal({
    stack: fixture.stack,
    cdkOut: fixture.cdkOut,
    services: [widgetService(created)],
  });
});
afterAll(async () => {
  await cloud?.stop();
  fixture?.remove();
});

describe("services added to the built-ins", () => {
  it("plan and create their resource types, with intrinsics resolved", () => {
    expect(cloud.outputs.GadgetUrl).toBe("widget://local/Gadget");
    expect(created).toEqual([{ logicalId: "Gadget", Size: 3, Queue: cloud.outputs.WorkQueueUrl }]);
    expect(cloud.resources.get("Gadget")?.emulated).toBe(true);
    expect(cloud.endpoints.widgets).toBe("widget://local");
  });

  it("run the event sources they claim, invoking the mapped function with their environment", async () => {
    const result = await waitFor(() => cloud.spy.find("lambda.result", (e) => e.source === "GadgetMapping"));
    expect(result.ok).toBe(true);
    const payload = JSON.parse(result.payload ?? "{}") as { extra: string; event: { fromWidget: string } };
    expect(payload.event.fromWidget).toBe("arn:aws:widget:us-east-1:000000000000:Gadget");
    expect(payload.extra).toBe("from-extension");
  });
});
