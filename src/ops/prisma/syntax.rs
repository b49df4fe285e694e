//! schema.prisma read into a syntax tree (`schema.pest`), every part with
//! its byte span so that the schema edit can change the text in place.
//! Errors name the line and column.

use pest::Parser;
use pest::iterators::Pair;

#[derive(pest_derive::Parser)]
#[grammar = "ops/prisma/schema.pest"]
struct Grammar;

/// Larger files are refused before parsing: real schemas are a few hundred
/// kilobytes at most, and this text is read on page requests.
pub const MAX_SCHEMA_BYTES: usize = 1024 * 1024;
/// Deeper nesting of `(` and `[` is refused before parsing: the tree is
/// read recursively, and a hostile file must not exhaust the stack.
const MAX_NESTING: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxError {
    #[error("line {line}, column {column}: {message}")]
    At {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the schema is {bytes} bytes; more than {MAX_SCHEMA_BYTES} bytes is not read")]
    TooLarge { bytes: usize },
}

/// Byte offsets into the schema's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    pub datasources: Vec<ConfigBlock>,
    pub generators: Vec<ConfigBlock>,
    pub models: Vec<Model>,
    /// `type` blocks: composite types, embedded in documents.
    pub types: Vec<Model>,
    pub enums: Vec<Enum>,
}

/// A `datasource` or `generator` block: `key = value` lines.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigBlock {
    pub name: String,
    pub entries: Vec<(String, Value)>,
}

/// A `model` or a composite `type`.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub name: String,
    pub line: usize,
    pub fields: Vec<Field>,
    /// `@@index`, `@@unique`, `@@map`, ...
    pub attributes: Vec<Attribute>,
    /// Where the closing `}` is.
    pub close: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub type_name: String,
    pub arity: Arity,
    pub attributes: Vec<Attribute>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    Required,
    Optional,
    List,
}

/// `@name(arguments)` on a field, or `@@name(arguments)` on a block.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Without the `@`s: `unique`, `db.ObjectId`, `index`.
    pub name: String,
    pub arguments: Vec<Argument>,
    pub span: Span,
    /// Where the closing `)` of its arguments is, when it has some.
    pub arguments_close: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Argument {
    pub name: Option<String>,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    String(String),
    Number(String),
    /// A name: `true`, `Cascade`, `Desc`, a field.
    Constant(String),
    Array(Vec<Value>),
    Call {
        name: String,
        arguments: Vec<Argument>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    pub name: String,
    pub values: Vec<String>,
}

impl Attribute {
    /// The argument called `name`, or the first unnamed one when `name` is
    /// the attribute's default argument.
    pub fn argument(&self, name: &str, positional: bool) -> Option<&Value> {
        self.arguments
            .iter()
            .find(|a| a.name.as_deref() == Some(name))
            .or_else(|| {
                positional
                    .then(|| self.arguments.iter().find(|a| a.name.is_none()))
                    .flatten()
            })
            .map(|a| &a.value)
    }
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(text) => Some(text),
            _ => None,
        }
    }
}

impl ConfigBlock {
    /// A string entry, such as `provider`.
    pub fn string(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_str())
    }
}

/// Parses a whole schema.
pub fn parse(text: &str) -> Result<Schema, SyntaxError> {
    if text.len() > MAX_SCHEMA_BYTES {
        return Err(SyntaxError::TooLarge { bytes: text.len() });
    }
    nesting(text)?;
    let mut pairs = Grammar::parse(Rule::schema, text).map_err(located)?;
    let mut schema = Schema::default();
    let Some(root) = pairs.next() else {
        return Ok(schema);
    };
    for block in root.into_inner() {
        match block.as_rule() {
            Rule::model => schema.models.push(model(block)),
            Rule::composite_type => schema.types.push(model(block)),
            Rule::enum_block => schema.enums.push(enumeration(block)),
            Rule::config_block => {
                let is_datasource = block
                    .clone()
                    .into_inner()
                    .next()
                    .is_some_and(|k| k.as_rule() == Rule::kw_datasource);
                let config = config(block);
                if is_datasource {
                    schema.datasources.push(config);
                } else {
                    schema.generators.push(config);
                }
            }
            _ => {}
        }
    }
    Ok(schema)
}

/// Refuses brackets nested deeper than `MAX_NESTING`, outside strings and comments.
fn nesting(text: &str) -> Result<(), SyntaxError> {
    let (mut depth, mut line, mut column) = (0usize, 1, 0);
    let (mut in_string, mut escaped, mut in_comment) = (false, false, false);
    let mut previous = '\0';
    for c in text.chars() {
        column += 1;
        match c {
            '\n' => {
                (line, column, in_string, in_comment) = (line + 1, 0, false, false);
            }
            _ if in_comment => {}
            _ if in_string => {
                in_string = escaped || c != '"';
                escaped = !escaped && c == '\\';
            }
            '"' => in_string = true,
            '/' if previous == '/' => in_comment = true,
            '(' | '[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(SyntaxError::At {
                        line,
                        column,
                        message: format!("brackets nested more than {MAX_NESTING} deep"),
                    });
                }
            }
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        previous = c;
    }
    Ok(())
}

fn located(error: pest::error::Error<Rule>) -> SyntaxError {
    let (line, column) = match error.line_col {
        pest::error::LineColLocation::Pos(at) | pest::error::LineColLocation::Span(at, _) => at,
    };
    let error = error.renamed_rules(|rule| describe(*rule).to_owned());
    SyntaxError::At {
        line,
        column,
        message: error.variant.message().into_owned(),
    }
}

/// Rules in words, for error messages.
fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the file",
        Rule::model | Rule::kw_model => "`model`",
        Rule::composite_type | Rule::kw_type => "`type`",
        Rule::enum_block | Rule::kw_enum => "`enum`",
        Rule::config_block | Rule::kw_datasource | Rule::kw_generator => {
            "`datasource` or `generator`"
        }
        Rule::identifier | Rule::type_name | Rule::argument_name => "a name",
        Rule::path | Rule::constant => "a name",
        Rule::field => "a field",
        Rule::field_type | Rule::unsupported => "a type",
        Rule::list => "`[]`",
        Rule::optional => "`?`",
        Rule::field_attribute => "an attribute (`@...`)",
        Rule::block_attribute => "a block attribute (`@@...`)",
        Rule::enum_value => "an enum value",
        Rule::key_value => "`key = value`",
        Rule::close => "`}`",
        Rule::args_close => "`)`",
        Rule::arguments => "`(`",
        Rule::argument | Rule::expression => "a value",
        Rule::function_call => "a function call",
        Rule::array => "a list (`[...]`)",
        Rule::string | Rule::string_text => "a string",
        Rule::number => "a number",
        Rule::line_end => "a new line",
        Rule::schema
        | Rule::top
        | Rule::WHITESPACE
        | Rule::COMMENT
        | Rule::ident_char
        | Rule::end_of_item => "a schema",
    }
}

fn span(pair: &Pair<'_, Rule>) -> Span {
    Span {
        start: pair.as_span().start(),
        end: pair.as_span().end(),
    }
}

fn model(pair: Pair<'_, Rule>) -> Model {
    let line = pair.line_col().0;
    let mut model = Model {
        name: String::new(),
        line,
        fields: Vec::new(),
        attributes: Vec::new(),
        close: pair.as_span().end().saturating_sub(1),
    };
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::identifier => model.name = part.as_str().to_owned(),
            Rule::field => model.fields.push(field(part)),
            Rule::block_attribute => model.attributes.push(attribute(part)),
            Rule::close => model.close = part.as_span().start(),
            _ => {}
        }
    }
    model
}

fn field(pair: Pair<'_, Rule>) -> Field {
    let mut field = Field {
        name: String::new(),
        type_name: String::new(),
        arity: Arity::Required,
        attributes: Vec::new(),
        span: span(&pair),
    };
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::identifier => field.name = part.as_str().to_owned(),
            Rule::field_type => {
                for piece in part.into_inner() {
                    match piece.as_rule() {
                        Rule::type_name => field.type_name = piece.as_str().to_owned(),
                        Rule::unsupported => field.type_name = "Unsupported".to_owned(),
                        Rule::list => field.arity = Arity::List,
                        Rule::optional => field.arity = Arity::Optional,
                        _ => {}
                    }
                }
            }
            Rule::field_attribute => field.attributes.push(attribute(part)),
            _ => {}
        }
    }
    field
}

fn attribute(pair: Pair<'_, Rule>) -> Attribute {
    let mut attribute = Attribute {
        name: String::new(),
        arguments: Vec::new(),
        span: span(&pair),
        arguments_close: None,
    };
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::path => attribute.name = part.as_str().to_owned(),
            Rule::arguments => {
                let (arguments, close) = arguments(part);
                attribute.arguments = arguments;
                attribute.arguments_close = close;
            }
            _ => {}
        }
    }
    attribute
}

fn arguments(pair: Pair<'_, Rule>) -> (Vec<Argument>, Option<usize>) {
    let mut arguments = Vec::new();
    let mut close = None;
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::argument => {
                let mut name = None;
                let mut value = Value::Constant(String::new());
                for piece in part.into_inner() {
                    match piece.as_rule() {
                        Rule::argument_name => name = Some(piece.as_str().to_owned()),
                        Rule::expression => value = expression(piece),
                        _ => {}
                    }
                }
                arguments.push(Argument { name, value });
            }
            Rule::args_close => close = Some(part.as_span().start()),
            _ => {}
        }
    }
    (arguments, close)
}

fn expression(pair: Pair<'_, Rule>) -> Value {
    let Some(inner) = pair.into_inner().next() else {
        return Value::Constant(String::new());
    };
    match inner.as_rule() {
        Rule::string => Value::String(unescape(
            inner.into_inner().next().map_or("", |t| t.as_str()),
        )),
        Rule::number => Value::Number(inner.as_str().to_owned()),
        Rule::array => Value::Array(inner.into_inner().map(expression).collect()),
        Rule::function_call => {
            let mut name = String::new();
            let mut arguments_found = Vec::new();
            for part in inner.into_inner() {
                match part.as_rule() {
                    Rule::path => name = part.as_str().to_owned(),
                    Rule::arguments => arguments_found = arguments(part).0,
                    _ => {}
                }
            }
            Value::Call {
                name,
                arguments: arguments_found,
            }
        }
        _ => Value::Constant(inner.as_str().to_owned()),
    }
}

/// Prisma strings escape with a backslash, as JSON does.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn enumeration(pair: Pair<'_, Rule>) -> Enum {
    let mut found = Enum {
        name: String::new(),
        values: Vec::new(),
    };
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::identifier => found.name = part.as_str().to_owned(),
            Rule::enum_value => {
                if let Some(name) = part.into_inner().next() {
                    found.values.push(name.as_str().to_owned());
                }
            }
            _ => {}
        }
    }
    found
}

fn config(pair: Pair<'_, Rule>) -> ConfigBlock {
    let mut block = ConfigBlock {
        name: String::new(),
        entries: Vec::new(),
    };
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::identifier => block.name = part.as_str().to_owned(),
            Rule::key_value => {
                let mut inner = part.into_inner();
                if let (Some(key), Some(value)) = (inner.next(), inner.next()) {
                    block
                        .entries
                        .push((key.as_str().to_owned(), expression(value)));
                }
            }
            _ => {}
        }
    }
    block
}

#[cfg(test)]
mod tests {
    use super::*;

    const TASK: &str = r#"
// The Forest schema.
datasource db {
  provider     = "mongodb"
  url          = env("DATABASE_URL")
  relationMode = "prisma"
}

generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["fullTextIndex"]
}

/// A task.
model Task {
  id        String    @id @default(auto()) @map("_id") @db.ObjectId
  title     String    // shown in the list
  tags      String[]
  clientId  String?   @unique
  userId    String    @db.ObjectId
  user      User      @relation(fields: [userId], references: [id], onDelete: Cascade)
  address   Address?
  status    Status    @default(OPEN)

  @@index([userId, createdAt(sort: Desc)], map: "Task_user_idx")
  @@unique([
    userId,
    title,
  ])
  @@map("tasks")
}

type Address {
  street String @map("street_name")
}

enum Status {
  OPEN
  DONE @map("done")
}
"#;

    #[test]
    fn models_fields_types_and_attributes_are_read_with_their_arguments() {
        let schema = parse(TASK).expect("parses");
        assert_eq!(schema.datasources[0].string("provider"), Some("mongodb"));
        assert_eq!(schema.datasources[0].string("relationMode"), Some("prisma"));
        assert_eq!(
            schema.generators[0].string("provider"),
            Some("prisma-client-js")
        );
        let task = &schema.models[0];
        assert_eq!(task.name, "Task");
        let names: Vec<_> = task.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "id", "title", "tags", "clientId", "userId", "user", "address", "status"
            ]
        );
        assert_eq!(task.fields[2].arity, Arity::List);
        assert_eq!(task.fields[3].arity, Arity::Optional);
        assert_eq!(task.fields[3].attributes[0].name, "unique");
        let id = &task.fields[0];
        let attributes: Vec<_> = id.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(attributes, ["id", "default", "map", "db.ObjectId"]);
        assert_eq!(
            id.attributes[1].argument("value", true),
            Some(&Value::Call {
                name: "auto".into(),
                arguments: vec![]
            })
        );
        let relation = &task.fields[5].attributes[0];
        assert_eq!(
            relation.argument("fields", false),
            Some(&Value::Array(vec![Value::Constant("userId".into())]))
        );
        assert_eq!(
            relation.argument("onDelete", false),
            Some(&Value::Constant("Cascade".into()))
        );
        let block: Vec<_> = task.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(block, ["index", "unique", "map"]);
        assert_eq!(
            task.attributes[2].argument("name", true),
            Some(&Value::String("tasks".into()))
        );
        assert_eq!(&TASK[task.close..=task.close], "}");
        assert_eq!(schema.types[0].name, "Address");
        assert_eq!(schema.enums[0].values, ["OPEN", "DONE"]);
    }

    #[test]
    fn a_syntax_error_names_its_line_and_column() {
        let broken = "model Task {\n  id String @id\n  title String @@map(\"x\")\n}\n";
        let SyntaxError::At { line, column, .. } = parse(broken).expect_err("refused") else {
            panic!("expected a located error");
        };
        assert_eq!((line, column), (3, 16));

        let unclosed = "model Task {\n  id String\n";
        let error = parse(unclosed).expect_err("refused");
        assert!(matches!(error, SyntaxError::At { line: 3, .. }), "{error}");
        assert!(
            error.to_string().starts_with("line 3, column 1: "),
            "{error}"
        );

        let stray = "datasource db {\n  provider = \"mongodb\"\n}\nmodl User {\n}\n";
        let error = parse(stray).expect_err("refused");
        assert!(
            matches!(
                error,
                SyntaxError::At {
                    line: 4,
                    column: 1,
                    ..
                }
            ),
            "{error}"
        );
        assert!(error.to_string().contains("`model`"), "{error}");

        let two_on_a_line = "model A {\n  a String b String\n}\n";
        assert!(matches!(
            parse(two_on_a_line),
            Err(SyntaxError::At { line: 2, .. })
        ));
    }

    #[test]
    fn deep_nesting_is_refused_with_its_place_but_brackets_in_strings_and_comments_are_not_counted()
    {
        let deep = format!(
            "model A {{\n  a String @default({})\n}}\n",
            "[".repeat(10_000)
        );
        let error = parse(&deep).expect_err("refused");
        assert!(
            matches!(
                error,
                SyntaxError::At {
                    line: 2,
                    column: 52,
                    ..
                }
            ),
            "{error}"
        );
        let quoted = format!(
            "model A {{\n  a String @default(\"{}\\\"\") // {}\n}}\n",
            "[".repeat(100),
            "(".repeat(100)
        );
        assert!(parse(&quoted).is_ok(), "{:?}", parse(&quoted));
    }

    #[test]
    fn a_huge_file_is_refused_before_parsing() {
        let huge = "// x\n".repeat(MAX_SCHEMA_BYTES / 5 + 1);
        assert!(matches!(parse(&huge), Err(SyntaxError::TooLarge { .. })));
    }

    #[test]
    fn strings_keep_escaped_quotes_and_keywords_need_a_boundary() {
        let schema =
            parse("model modelX {\n  a String @default(\"say \\\"hi\\\"\")\n}\n").expect("parses");
        assert_eq!(schema.models[0].name, "modelX");
        assert_eq!(
            schema.models[0].fields[0].attributes[0].argument("value", true),
            Some(&Value::String("say \"hi\"".into()))
        );
        assert!(parse("modelX {\n}\n").is_err());
    }
}
