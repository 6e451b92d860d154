//! The cedar policy that says which role may do what (`policy/haven.cedar`), checked against its
//! schema (`policy/haven.cedarschema`) when it is loaded, and asked once per request.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::LazyLock;

use cedar_policy::{
    Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid, PolicySet, Request,
    Schema, ValidationMode, Validator,
};

use haven_domain::Principal;

use crate::identity::Action;

const BUNDLED_POLICY: &str = include_str!("../policy/haven.cedar");
const BUNDLED_SCHEMA: &str = include_str!("../policy/haven.cedarschema");

/// Why a policy text could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("the access schema does not parse: {0}")]
    Schema(String),
    #[error("the access policy does not parse: {0}")]
    Policy(String),
    #[error("the access policy does not match its schema: {0}")]
    Invalid(String),
}

/// A parsed and validated policy set with its schema. Built once; asking it is a pure function of
/// the principal's role and the action.
#[derive(Debug)]
pub struct Authorizer {
    policies: PolicySet,
    schema: Schema,
    engine: cedar_policy::Authorizer,
    /// The single resource every action applies to (see the schema's comment on `Service`).
    service: EntityUid,
}

static BUNDLED: LazyLock<Authorizer> = LazyLock::new(|| {
    // The texts are compiled in, so a failure here is a bug in this crate's files, caught by the
    // `bundled_policy_loads` test before it can reach a server.
    Authorizer::from_text(BUNDLED_POLICY, BUNDLED_SCHEMA)
        .expect("the bundled access policy parses and validates against its schema")
});

impl Authorizer {
    /// The policy shipped with Haven, parsed and validated on first use.
    pub fn bundled() -> &'static Authorizer {
        &BUNDLED
    }

    /// Parses a policy and its schema and validates one against the other (strict mode), so a
    /// misspelt action or entity type is refused here rather than silently never matching.
    pub fn from_text(policy_text: &str, schema_text: &str) -> Result<Authorizer, PolicyError> {
        let (schema, _warnings) = Schema::from_cedarschema_str(schema_text)
            .map_err(|error| PolicyError::Schema(error.to_string()))?;
        let policies = PolicySet::from_str(policy_text)
            .map_err(|error| PolicyError::Policy(error.to_string()))?;
        let validation = Validator::new(schema.clone()).validate(&policies, ValidationMode::Strict);
        if !validation.validation_passed() {
            let errors: Vec<String> = validation
                .validation_errors()
                .map(|error| error.to_string())
                .collect();
            return Err(PolicyError::Invalid(errors.join("; ")));
        }
        let service = entity_uid("Haven::Service", "haven")?;
        Ok(Authorizer {
            policies,
            schema,
            engine: cedar_policy::Authorizer::new(),
            service,
        })
    }

    /// Whether the policy permits `principal` to do `action`. The principal is the entity
    /// `Haven::User::"name"` in `Haven::Role::"role"`. Anything that keeps the question from being
    /// asked properly (which the schema validation makes unreachable) answers no: deny is the
    /// safe side.
    pub fn is_allowed(&self, principal: &Principal, action: Action) -> bool {
        self.decide(principal, action).unwrap_or(false)
    }

    fn decide(&self, principal: &Principal, action: Action) -> Result<bool, PolicyError> {
        let role = entity_uid("Haven::Role", principal.role.as_str())?;
        let user = entity_uid("Haven::User", principal.actor.as_str())?;
        let action_uid = entity_uid("Haven::Action", action.as_str())?;
        let entities = Entities::from_entities(
            [
                Entity::new_no_attrs(user.clone(), HashSet::from([role.clone()])),
                Entity::new_no_attrs(role, HashSet::new()),
            ],
            Some(&self.schema),
        )
        .map_err(|error| PolicyError::Invalid(error.to_string()))?;
        let request = Request::new(
            user,
            action_uid,
            self.service.clone(),
            Context::empty(),
            Some(&self.schema),
        )
        .map_err(|error| PolicyError::Invalid(error.to_string()))?;
        let response = self
            .engine
            .is_authorized(&request, &self.policies, &entities);
        Ok(response.decision() == Decision::Allow)
    }
}

fn entity_uid(type_name: &str, id: &str) -> Result<EntityUid, PolicyError> {
    let type_name = EntityTypeName::from_str(type_name)
        .map_err(|error| PolicyError::Schema(error.to_string()))?;
    Ok(EntityUid::from_type_name_and_id(
        type_name,
        EntityId::new(id),
    ))
}
