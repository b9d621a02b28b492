// scopegate's infrastructure guardrails: `pulumi preview --policy-pack policy-pack`; every rule is mandatory.
import { PolicyPack, type ResourceValidationPolicy, type StackValidationPolicy } from '@pulumi/policy';
import { MAX_AUTHORIZER_TTL_SECONDS } from '../policies/openapi';
import { publicRoutesOf } from './public-routes';
import { checkPermissionsNameThisApi, RULES, type RuleContext } from './rules';

/** Pack configuration (`--policy-pack-config`), shared by every rule; each key has a default. */
interface PackConfig {
  scopesFile?: string;
  maxAuthorizerTtlSeconds?: number;
}

const CONFIG_SCHEMA = {
  properties: {
    scopesFile: {
      type: 'string' as const,
      description: 'The scopes file the stack deploys, relative to the repository root.',
      default: 'scopes.yaml',
    },
    maxAuthorizerTtlSeconds: {
      type: 'integer' as const,
      minimum: 0,
      maximum: MAX_AUTHORIZER_TTL_SECONDS,
      description: 'Longest authorizer result TTL allowed (the product defaults to 300).',
      default: MAX_AUTHORIZER_TTL_SECONDS,
    },
  },
};

function contextOf(config: PackConfig): RuleContext {
  return {
    // Compiled lazily: only the API rule needs it, and a bad scopes file already fails the program itself.
    get publicRoutes() {
      return publicRoutesOf(config.scopesFile);
    },
    maxAuthorizerTtlSeconds: config.maxAuthorizerTtlSeconds ?? MAX_AUTHORIZER_TTL_SECONDS,
  };
}

const resourcePolicies: ResourceValidationPolicy[] = RULES.map((rule) => ({
  name: rule.name,
  description: rule.description,
  enforcementLevel: 'mandatory',
  configSchema: CONFIG_SCHEMA,
  validateResource: (args, reportViolation) => {
    if (!rule.types.includes(args.type)) return;
    const context = contextOf(args.getConfig<PackConfig>());
    for (const violation of rule.validate(args.type, args.props, context)) reportViolation(violation);
  },
}));

const permissionsNameThisApi: StackValidationPolicy = {
  name: 'lambda-invoked-by-this-api',
  description: 'Every Lambda permission names an API this stack creates.',
  enforcementLevel: 'mandatory',
  validateStack: (args, reportViolation) => {
    for (const violation of checkPermissionsNameThisApi(args.resources)) reportViolation(violation);
  },
};

new PolicyPack('scopegate', {
  policies: [...resourcePolicies, permissionsNameThisApi],
});
