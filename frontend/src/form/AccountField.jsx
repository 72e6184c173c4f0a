// The account (credential) picker as the form's first field: the node's credential lives in
// the flow document beside the params, not in them.
import Account from '../components/Account.jsx';

export default function AccountField({ registry }) {
  const { node, spec, onNodeChange } = registry.formContext;
  return <Account node={node} spec={spec} onChange={onNodeChange} />;
}
